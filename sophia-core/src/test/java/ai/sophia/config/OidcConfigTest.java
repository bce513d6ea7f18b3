package ai.sophia.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code security.oidc}: bearer tokens alone, or with the dashboard's sign-in, checked at start.
 */
class OidcConfigTest {
  private static final String ISSUER =
      "security:\n  oidc:\n    issuer: https://id.example/realms/s\n    audience: https://sophia.example\n";

  @TempDir Path dir;

  private SophiaConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = Files.writeString(dir.resolve("sophia.yaml"), yaml);
    return ConfigLoader.create(env).load(Optional.of(file));
  }

  @Test
  void load_issuerOnly_bearerTokensWithoutSignIn() throws Exception {
    SophiaConfig.Oidc oidc = load(ISSUER, Map.of()).security().oidc();

    assertThat(oidc.enabled()).isTrue();
    assertThat(oidc.signInEnabled()).isFalse();
    assertThat(oidc.scopes()).containsExactly("openid", "profile");
  }

  @Test
  void load_clientWithRedirect_signInEnabled_scopesFromEnvironment() throws Exception {
    SophiaConfig.Oidc oidc =
        load(
                ISSUER
                    + "    client_id: sophia\n"
                    + "    redirect_uri: https://sophia.example/dashboard/oidc/callback\n",
                Map.of("SOPHIA_SECURITY_OIDC_SCOPES", "openid,profile,sophia:developer"))
            .security()
            .oidc();

    assertThat(oidc.signInEnabled()).isTrue();
    assertThat(oidc.redirectUri()).isEqualTo("https://sophia.example/dashboard/oidc/callback");
    assertThat(oidc.scopes()).containsExactly("openid", "profile", "sophia:developer");
  }

  @Test
  void load_clientWithoutRedirectOrOpenid_reportsEachByKey() {
    assertThatThrownBy(
            () ->
                load(
                    ISSUER
                        + "    client_id: sophia\n"
                        + "    scopes: [profile]\n"
                        + "    client_secret_file: /no/such/secret\n",
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.oidc.redirect_uri must be set")
        .hasMessageContaining("security.oidc.scopes must include openid")
        .hasMessageContaining("security.oidc.client_secret_file /no/such/secret is not a readable");
  }
}
