package ai.sophia.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {
  private final AddressPolicy strict = AddressPolicy.create(List.of(), false);

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, loopback",
    "127.255.0.9, loopback",
    "10.0.0.1, private",
    "172.16.0.1, private",
    "172.31.255.254, private",
    "192.168.1.1, private",
    "100.64.0.1, shared (CGNAT)",
    "169.254.169.254, link-local",
    "0.0.0.0, this-network",
    "0.1.2.3, this-network",
    "224.0.0.1, multicast",
    "239.255.255.250, multicast",
    "240.0.0.1, reserved",
    "255.255.255.255, reserved",
    "192.0.2.10, documentation",
    "198.51.100.7, documentation",
    "203.0.113.99, documentation",
    "198.18.0.1, benchmarking",
    "::1, loopback",
    "::, unspecified",
    "fe80::1, link-local",
    "fc00::1, private",
    "fd12:3456::1, private",
    "ff02::1, multicast",
    "2001:db8::1, documentation",
    "100::1, reserved",
    "::ffff:127.0.0.1, loopback",
    "::127.0.0.1, loopback",
    "64:ff9b::a9fe:a9fe, link-local",
    "2002:0a00:0001::1, private",
    "2001:0:4136:e378::1, IETF protocol assignment"
  })
  void refusal_specialPurposeAddresses_areRefusedWithTheirKind(String address, String kind)
      throws Exception {
    assertThat(strict.refusal(InetAddress.getByName(address)))
        .hasValueSatisfying(why -> assertThat(why).contains(kind));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "8.8.8.8",
        "93.184.216.34",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:0808:0808::1"
      })
  void refusal_publicUnicast_isAllowed(String address) throws Exception {
    assertThat(strict.refusal(InetAddress.getByName(address))).isEmpty();
  }

  @Test
  void refusal_operatorRange_opensOnlyThatRange() throws Exception {
    AddressPolicy policy = AddressPolicy.create(List.of(Cidr.parse("10.1.0.0/16")), false);

    assertThat(policy.refusal(InetAddress.getByName("10.1.2.3"))).isEmpty();
    assertThat(policy.refusal(InetAddress.getByName("10.2.0.1"))).isPresent();
    assertThat(policy.refusal(InetAddress.getByName("127.0.0.1"))).isPresent();
  }

  @Test
  void refusal_loopbackV4Allowed_doesNotOpenIpv6Loopback() throws Exception {
    AddressPolicy policy = AddressPolicy.create(List.of(Cidr.parse("127.0.0.0/8")), false);

    assertThat(policy.refusal(InetAddress.getByName("127.0.0.1"))).isEmpty();
    assertThat(policy.refusal(InetAddress.getByName("::1"))).isPresent();
  }

  @Test
  void refusal_allowPrivate_opensIntranetButNotMetadataOrMulticast() throws Exception {
    AddressPolicy intranet = AddressPolicy.create(List.of(), true);

    for (String open :
        List.of("127.0.0.1", "10.0.0.1", "192.168.1.1", "100.64.0.1", "::1", "fd00::1")) {
      assertThat(intranet.refusal(InetAddress.getByName(open))).as(open).isEmpty();
    }
    for (String closed :
        List.of("169.254.169.254", "fe80::1", "224.0.0.1", "0.0.0.0", "240.0.0.1")) {
      assertThat(intranet.refusal(InetAddress.getByName(closed))).as(closed).isPresent();
    }
  }
}
