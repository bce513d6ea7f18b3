package ai.sophia.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.web.IpLiterals.Parsed;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralsTest {
  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, 127.0.0.1",
    "2130706433, 127.0.0.1",
    "0x7f000001, 127.0.0.1",
    "0X7F000001, 127.0.0.1",
    "0177.0.0.1, 127.0.0.1",
    "0177.0.0.01, 127.0.0.1",
    "127.1, 127.0.0.1",
    "127.0.1, 127.0.0.1",
    "0x7f.1, 127.0.0.1",
    "10.0x10.1, 10.16.0.1",
    "169.254.43518, 169.254.169.254",
    "0, 0.0.0.0",
    "127.0.0.1., 127.0.0.1",
    "8.8.8.8, 8.8.8.8",
    "010.0.0.1, 8.0.0.1"
  })
  void parse_numericSpellings_giveTheAddressBrowsersUse(String host, String expected) {
    Parsed parsed = IpLiterals.parse(host);

    assertThat(parsed).isInstanceOf(Parsed.Address.class);
    assertThat(((Parsed.Address) parsed).address().getHostAddress()).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"::1, 0:0:0:0:0:0:0:1", "[::1], 0:0:0:0:0:0:0:1", "::ffff:127.0.0.1, 127.0.0.1"})
  void parse_ipv6Literals_areParsedWithoutLookup(String host, String expected) {
    Parsed parsed = IpLiterals.parse(host);

    assertThat(((Parsed.Address) parsed).address().getHostAddress()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"256.0.0.1", "1.2.3.4.5", "4294967296", "08.0.0.1", "foo.123"})
  void parse_hostEndingInNumberThatIsNoAddress_isMalformed(String host) {
    assertThat(IpLiterals.parse(host)).isInstanceOf(Parsed.Malformed.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"example.com", "localhost", "docs.internal", "1a.example", "0x7f.example"})
  void parse_names_areHostnames(String host) {
    assertThat(IpLiterals.parse(host)).isInstanceOf(Parsed.Hostname.class);
  }
}
