package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.research.ResearchProgress;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

/**
 * The dashboard's "Sign in with" button in a real Chromium: offered when the server has an issuer,
 * and a click goes through the {@link LoopbackIssuer} and back, signed in with the issuer's role.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcBrowserTest {
  private static final String REDIRECT = "https://sophia.test/dashboard/oidc/callback";

  /** The ask page, where a sign-in lands, lists past research: there is none. */
  private static final class NothingResearchedYet implements Researcher {
    private final RefusingResearcher refusing = new RefusingResearcher();

    @Override
    public ResearchResult research(ResearchRequest request, ResearchProgress progress) {
      return refusing.research(request, progress);
    }

    @Override
    public Optional<ResearchResult> find(String id) {
      return refusing.find(id);
    }

    @Override
    public List<MemoryHit> searchMemory(String query, int limit) {
      return refusing.searchMemory(query, limit);
    }

    @Override
    public List<Summary> history(String containing, int limit) {
      return List.of();
    }
  }

  @TempDir static Path dir;
  private LoopbackIssuer issuer;
  private TestServer server;
  private Browser browser;

  @BeforeAll
  void start() {
    assertThat(Browser.installed())
        .as("no /usr/bin/chromium and chromedriver: run bin/setup-browser.sh")
        .isTrue();
    issuer = LoopbackIssuer.start(REDIRECT);
    server = issuer.sophia(dir, "https://sophia.test", new NothingResearchedYet());
    // Sophia's public URL (the registered redirect) maps to the port it listens on, as a proxy's.
    issuer.sendBrowserTo("http://127.0.0.1:" + server.port);
    browser = Browser.start(1280, 900);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    server.close();
    issuer.close();
  }

  @Test
  void signInPage_issuerButton_signsInThroughTheIssuer() {
    browser.driver.get("http://127.0.0.1:" + server.port + "/");
    WebElement button = browser.await(10, d -> browser.find("button[data-signin=oidc]"));
    assertThat(button.getText()).isEqualTo("Sign in with 127.0.0.1");
    // The key sign-in is still there beside it.
    assertThat(browser.all("input[name=api_key]")).hasSize(1);
    browser.screenshot("oidc-01-sign-in");

    button.click();

    browser.awaitText("#who", "ada · developer");
    assertThat(browser.driver.getCurrentUrl()).isEqualTo("http://127.0.0.1:" + server.port + "/");
    Cookie session = browser.driver.manage().getCookieNamed("sophia_session");
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(browser.driver.manage().getCookieNamed("sophia_oidc")).isNull();
    // A developer sees no admin pages.
    assertThat(browser.all("#nav a")).extracting(WebElement::getText).doesNotContain("Keys");
    browser.screenshot("oidc-02-signed-in");
  }
}
