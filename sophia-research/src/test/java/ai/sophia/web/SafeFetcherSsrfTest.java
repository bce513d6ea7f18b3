package ai.sophia.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.web.FetchException.Reason;
import ai.sophia.web.LoopbackServer.Reply;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SSRF refusals: every address family and spelling trick, resolvers, redirects into private ranges.
 */
class SafeFetcherSsrfTest {
  private final LoopbackServer server =
      LoopbackServer.start().route("/", Reply.html("<title>inside</title><p>secret</p>"));

  @AfterEach
  void stop() {
    server.close();
  }

  private static HostResolver fixed(String... addresses) {
    return host -> {
      List<InetAddress> out = new java.util.ArrayList<>();
      for (String a : addresses) {
        out.add(InetAddress.getByName(a));
      }
      return out;
    };
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:%d/",
        "http://2130706433:%d/",
        "http://0x7f000001:%d/",
        "http://0177.0.0.1:%d/",
        "http://0x7f.0.0.1:%d/",
        "http://127.1:%d/",
        "http://127.0.0.1.:%d/",
        "http://%%31%%32%%37.0.0.1:%d/",
        "http://[::1]:%d/",
        "http://[::ffff:127.0.0.1]:%d/",
        "http://[::ffff:7f00:1]:%d/",
        "http://[0:0:0:0:0:ffff:127.0.0.1]:%d/",
        "http://[64:ff9b::7f00:1]:%d/",
        "http://[2002:7f00:1::1]:%d/",
        "http://user:pass@127.0.0.1:%d/",
        "http://evil.example@127.0.0.1:%d/",
        "http://0.0.0.0:%d/",
        "http://[::]:%d/"
      })
  void fetch_loopbackInAnySpelling_isRefusedBeforeConnecting(String template) {
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.allowing());
    String url = template.formatted(server.port());

    assertThatThrownBy(() -> fetcher.fetch(url))
        .isInstanceOf(FetchException.class)
        .satisfies(
            e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.FORBIDDEN_ADDRESS))
        .hasMessageContaining("refused")
        .hasMessageNotContaining("pass");
    assertThat(server.requests()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://10.0.0.1/",
        "http://10.255.255.255:8080/admin",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://240.0.0.1/",
        "http://192.0.2.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd00:ec2::254]/",
        "http://[ff02::1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://2852039166/",
        "http://0xa9fea9fe/",
        "http://0251.0376.0251.0376/",
        "http://169.254.43518/",
        "http://10.1/"
      })
  void fetch_privateLinkLocalAndReservedAddresses_areRefused(String url) {
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.allowing());

    assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(url)))
        .isEqualTo(Reason.FORBIDDEN_ADDRESS);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "file:///etc/passwd",
        "ftp://example.com/file.txt",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "not a url",
        "http://256.1.1.1/",
        "http://1.2.3.4.5/"
      })
  void fetch_otherSchemesAndMalformedUrls_areRefused(String url) {
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.allowing());

    assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(url))).isEqualTo(Reason.FORBIDDEN_SCHEME);
  }

  @Test
  void fetch_hostnameResolvingToPrivateAddress_isRefused() {
    SafeFetcher fetcher =
        SafeFetcher.builder(FetchConfigs.allowing()).resolver(fixed("10.0.0.7")).build();

    assertThatThrownBy(() -> fetcher.fetch("http://intranet.example.com/wiki"))
        .isInstanceOfSatisfying(
            FetchException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_ADDRESS);
              assertThat(e).hasMessageContaining("10.0.0.7").hasMessageContaining("private");
            });
  }

  @Test
  void fetch_hostnameWithOnePrivateAmongPublicAddresses_isRefused() {
    SafeFetcher fetcher =
        SafeFetcher.builder(FetchConfigs.allowing())
            .resolver(fixed("93.184.216.34", "127.0.0.1"))
            .build();

    assertThat(FetchFailures.reasonOf(() -> fetcher.fetch("http://mixed.example.com/")))
        .isEqualTo(Reason.FORBIDDEN_ADDRESS);
  }

  @Test
  void fetch_localhostName_isRefusedThroughTheSystemResolver() {
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.allowing());

    assertThat(
            FetchFailures.reasonOf(() -> fetcher.fetch("http://localhost:" + server.port() + "/")))
        .isEqualTo(Reason.FORBIDDEN_ADDRESS);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void fetch_unknownHost_isHostNotFound() {
    SafeFetcher fetcher =
        SafeFetcher.builder(FetchConfigs.allowing())
            .resolver(
                host -> {
                  throw new UnknownHostException(host);
                })
            .build();

    assertThat(FetchFailures.reasonOf(() -> fetcher.fetch("http://nowhere.example/")))
        .isEqualTo(Reason.HOST_NOT_FOUND);
  }

  @Test
  void fetch_resolvedHost_connectsOnlyToTheCheckedAddressAndResolvesOnce() {
    AtomicInteger lookups = new AtomicInteger();
    // First answer is allowed; any later answer (a DNS rebinding attempt) would be metadata.
    HostResolver rebinding =
        host ->
            List.of(
                InetAddress.getByName(
                    lookups.getAndIncrement() == 0 ? "127.0.0.1" : "169.254.169.254"));
    SafeFetcher fetcher =
        SafeFetcher.builder(FetchConfigs.loopbackAllowed()).resolver(rebinding).build();

    // .invalid never resolves through real DNS: reaching the server proves the pinned address was
    // used.
    FetchedPage page = fetcher.fetch("http://docs.sophia-test.invalid:" + server.port() + "/");

    assertThat(page.body()).contains("secret");
    assertThat(lookups).hasValue(1);
    assertThat(server.requests())
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.header("host")).hasValue("docs.sophia-test.invalid:" + server.port()));
  }

  @Test
  void fetch_redirectFromAllowedHostIntoPrivateRange_isRefused() {
    server.route("/to-intranet", Reply.redirect(302, "http://10.0.0.1/admin"));
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.loopbackAllowed());

    assertThatThrownBy(() -> fetcher.fetch(server.url("/to-intranet")))
        .isInstanceOfSatisfying(
            FetchException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_ADDRESS);
              assertThat(e).hasMessageContaining("10.0.0.1");
            });
  }

  @Test
  void fetch_redirectToIpv6LoopbackWhenOnlyIpv4LoopbackAllowed_isRefused() {
    server.route("/to-v6", Reply.redirect(301, "http://[::1]:" + server.port() + "/"));
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.loopbackAllowed());

    assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(server.url("/to-v6"))))
        .isEqualTo(Reason.FORBIDDEN_ADDRESS);
    assertThat(server.requests())
        .extracting(LoopbackServer.Recorded::path)
        .containsExactly("/to-v6");
  }

  @Test
  void fetch_redirectToCloudMetadataInDecimal_isRefused() {
    server.route("/to-metadata", Reply.redirect(307, "http://2852039166/latest/meta-data/"));
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.loopbackAllowed());

    assertThatThrownBy(() -> fetcher.fetch(server.url("/to-metadata")))
        .isInstanceOfSatisfying(
            FetchException.class,
            e ->
                assertThat(e)
                    .hasMessageContaining("169.254.169.254")
                    .hasMessageContaining("link-local"));
  }

  @Test
  void fetch_redirectToFileScheme_isRefused() {
    server.route("/to-file", Reply.redirect(302, "file:///etc/passwd"));
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.loopbackAllowed());

    assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(server.url("/to-file"))))
        .isEqualTo(Reason.FORBIDDEN_SCHEME);
  }

  @Test
  void fetch_allowPrivateFlag_reachesLoopbackButNotMetadata() {
    SafeFetcher intranet = SafeFetcher.builder(FetchConfigs.allowing()).allowPrivate(true).build();

    assertThat(intranet.fetch(server.url("/")).body()).contains("secret");
    assertThat(FetchFailures.reasonOf(() -> intranet.fetch("http://169.254.169.254/")))
        .isEqualTo(Reason.FORBIDDEN_ADDRESS);
  }

  @Test
  void check_forbiddenUrl_throwsWithoutFetching() {
    SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.allowing());

    assertThatThrownBy(() -> fetcher.check(server.url("/")))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("loopback");
    assertThat(server.requests()).isEmpty();
  }
}
