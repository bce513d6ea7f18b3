package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.model.ToolCall;
import ai.sophia.security.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real Chromium against a real Sophia, built as {@code sophia serve} builds it
 * (SQLite, Lucene, the embedding model, local research over an ingested folder, a command deploy
 * target), whose model is a loopback server speaking the OpenAI wire format. One server and one
 * browser for the class; the tests run in order, as one person's visit: sign in, research and
 * follow a citation, a hostile page, an approval, a swarm, a deployment, ingest, every page checked
 * by axe-core and at 360 px, the keyboard alone, sign out. Screenshots of every page are kept in
 * {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  static final List<String> PAGES =
      List.of("ask", "agents", "swarms", "knowledge", "code", "ops", "keys", "audit");
  static final String HOSTILE = "<img src=x onerror=alert(1)>";

  @TempDir static Path dir;
  private ScriptedOpenAiServer model;
  private Sophia sophia;
  private String base;
  private String admin;
  private Browser browser;

  @BeforeAll
  void start() throws Exception {
    // bin/test installs them; a missing browser fails the suite rather than skipping it.
    assertThat(Browser.installed())
        .as("no /usr/bin/chromium and chromedriver: run bin/setup-browser.sh")
        .isTrue();
    model = ScriptedOpenAiServer.start();
    Path docs = TestDocs.walFolder(dir);
    Files.writeString(
        docs.resolve("hostile.html"),
        "<html><head><title>&lt;img src=x onerror=alert(1)&gt;</title></head><body><p>Quokkas"
            + " are small marsupials that live on Rottnest Island off the coast of Western"
            + " Australia. Quokkas eat leaves, grasses, stems and bark, and they can go for long"
            + " periods without drinking because their food holds water.</p><p>Quokkas rest in"
            + " the shade of shrubs by day and feed mostly at night. A quokka chews its food"
            + " little, swallows it and later brings it back up to chew it again as cud. Young"
            + " quokkas live in their mother's pouch for about six months.</p></body></html>");
    Path yaml =
        Files.writeString(
            dir.resolve("sophia.yaml"),
            "deploy:\n  targets:\n"
                + "    site:\n      type: command\n      command: [sh, -c, \"echo shipping"
                + " {version}\"]\n"
                + "    web:\n      type: command\n      command: [sh, -c, \"echo building"
                + " {version}; sleep 1; echo serving {version}\"]\n");
    Map<String, String> env = new HashMap<>();
    env.put("SOPHIA_DATA_DIR", dir.resolve("data").toString());
    env.put("SOPHIA_SERVER_PORT", "0");
    env.put("SOPHIA_RESEARCH_DEFAULT_ENGINE", "local");
    env.put("SOPHIA_RESEARCH_FALLBACK_ENGINES", "local");
    env.put("SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL", model.baseUrl());
    env.put("SOPHIA_MODELS_DEFAULT_CHAIN", "openai_compatible:test-model");
    env.put("SOPHIA_MODELS_MAX_ATTEMPTS", "1");
    // Research asks the model too and finds no scripted answer: that must not open the circuit.
    env.put("SOPHIA_MODELS_CIRCUIT_FAILURE_THRESHOLD", "1000");
    // One person clicking through every page faster than anyone would.
    env.put("SOPHIA_SECURITY_RATE_LIMIT_BURST", "1000");
    SophiaConfig config = ConfigLoader.create(env).load(Optional.of(yaml));
    sophia = Sophia.open(config, env);
    sophia.ingestor().ingest(docs.toString(), false, IngestProgress.none());
    base = "http://127.0.0.1:" + sophia.serve(new PrintWriter(new StringWriter()));
    admin = sophia.apiKeys().create("browser-admin", Role.admin).secret();
    browser = Browser.start(1280, 1000);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (sophia != null) {
      sophia.close();
    }
    if (model != null) {
      model.close();
    }
  }

  @Test
  @Order(1)
  void signIn_withKey_httpOnlyCookieTheScriptCannotRead() {
    browser.driver.get(base + "/");
    WebElement key = browser.await(10, d -> browser.find("input[name=api_key]"));
    browser.screenshot("01-sign-in");
    // No issuer configured: no "Sign in with" button.
    assertThat(browser.all("button[data-signin=oidc]")).isEmpty();
    key.sendKeys(admin, Keys.ENTER);

    browser.awaitText("#who", "browser-admin · admin");
    Cookie cookie = browser.driver.manage().getCookieNamed("sophia_session");
    assertThat(cookie.isHttpOnly()).isTrue();
    assertThat(cookie.getSameSite()).isEqualTo("Strict");
    assertThat((String) browser.js("return document.cookie")).doesNotContain("sophia_session");
    assertThat(browser.all("#nav a")).extracting(WebElement::getText).contains("Keys", "Agents");
    assertThat(browser.driver.getPageSource()).doesNotContain(admin);
  }

  @Test
  @Order(2)
  void ask_research_citationJumpsToItsSource() throws Exception {
    browser.page("ask");
    browser.js(
        "window.stagesSeen = [];"
            + " new MutationObserver(() => document.querySelectorAll('.stages li.running')"
            + ".forEach(li => window.stagesSeen.push(li.textContent)))"
            + ".observe(document.getElementById('main'), {childList: true, subtree: true,"
            + " characterData: true});");
    browser.find("textarea[name=query]").sendKeys("how do readers work in WAL mode");
    new Select(browser.find("select[name=engine]")).selectByValue("local");
    browser.find("form.card button[type=submit]").click();

    WebElement cite = browser.await(30, d -> browser.find(".answer a.cite"));
    browser.screenshot("02-ask");
    @SuppressWarnings("unchecked")
    List<String> stages = (List<String>) browser.js("return window.stagesSeen");
    assertThat(stages).as("stages shown while research ran").anyMatch(t -> t.startsWith("search"));
    cite.click();

    WebElement source = browser.find("#source-" + cite.getDomAttribute("data-source"));
    assertThat(browser.js("return document.activeElement.id"))
        .isEqualTo(source.getDomAttribute("id"));
    assertThat(source.getText()).contains("Write-ahead logging").contains("wal.md");
    assertThat(browser.find(".quality").getText()).contains("score");
    assertThat(browser.awaitText(".past li", "how do readers work in WAL mode")).isNotNull();
  }

  @Test
  @Order(3)
  void ask_pageTitledWithMarkup_showsItAsText() {
    browser.page("ask");
    browser.find("textarea[name=query]").clear();
    browser.find("textarea[name=query]").sendKeys("what do quokkas eat");
    new Select(browser.find("select[name=engine]")).selectByValue("local");
    browser.find("form.card button[type=submit]").click();

    WebElement title = browser.awaitText(".sources .source-title", "onerror");
    browser.screenshot("03-hostile-page");

    assertThat(title.getText()).isEqualTo(HOSTILE);
    assertThat(browser.all("main img")).isEmpty();
    assertThat(alertShown()).isFalse();
  }

  @Test
  @Order(4)
  void agents_toolCallWaitingForApproval_isApprovedFromThePage() {
    model
        .toolCalls(new ToolCall("call_1", "deploy", "{\"target\":\"site\",\"version\":\"v7\"}"))
        .reply("Shipped v7 to site.");
    browser.page("agents");
    browser.awaitText(".agent h2", "deployment");
    new Select(browser.find("select[name=agent]")).selectByValue("deployment");
    browser.find("textarea[name=input]").sendKeys("ship v7 to site");
    browser.find("form.card button[type=submit]").click();

    WebElement approval = browser.await(30, d -> browser.find("[data-approval]"));
    assertThat(approval.getText()).contains("deploy");
    browser.awaitText(".run .steps", "waiting for approval of deploy");
    browser.screenshot("04-agents-approval");
    approval.findElement(org.openqa.selenium.By.cssSelector("input[name=reason]")).sendKeys("ok");
    approval.findElement(org.openqa.selenium.By.cssSelector("button.grant")).click();

    browser.awaitText(".run .steps", "granted by");
    browser.awaitText(".run .answer-text", "Shipped v7 to site.");
    browser.awaitText(".run .steps", "finished: succeeded");
    browser.awaitText(".run .steps", "test-model");
    assertThat(browser.all("[data-approval]")).isEmpty();
  }

  @Test
  @Order(5)
  void swarms_started_watchedUntilItsQualityReport() {
    model.reply("no plan").reply("Readers keep reading while the writer appends [1].");
    browser.page("swarms");
    browser.find("textarea[name=task]").sendKeys("Explain how readers work in WAL mode");
    browser.find("input[name=agents]").sendKeys("analysis");
    browser.find("form.card button[type=submit]").click();

    browser.awaitText(".swarm .quality-report", "completeness");
    WebElement report = browser.find(".swarm");
    assertThat(report.getText())
        .contains("succeeded")
        .contains("Readers keep reading while the writer appends [1].")
        .contains("Plan");
    assertThat(browser.all(".swarm svg.timeline rect")).hasSizeGreaterThanOrEqualTo(5);
    browser.awaitText("[data-swarm]", "Explain how readers work");
    browser.screenshot("05-swarms");
  }

  @Test
  @Order(6)
  void code_deployLocalTarget_liveLogUntilHealthy() {
    browser.page("code");
    browser.await(10, d -> browser.all("select[name=target] option").size() == 2);
    new Select(browser.find("select[name=target]")).selectByValue("web");
    browser.find("input[name=version]").sendKeys("v2");
    browser.find("form.card button[type=submit]").click();

    browser.awaitText("pre.log", "building v2");
    browser.awaitText("pre.log", "serving v2");
    browser.awaitText("pre.log", "— healthy");
    browser.awaitText("table", "web");
    browser.screenshot("06-code-deployments");
  }

  @Test
  @Order(7)
  void audit_showsTheSignInAndTheDeploy_chainVerifiedFromThePage() {
    browser.page("audit");
    browser.awaitText("table", "POST /api/v1/session");
    browser.awaitText("table", "browser-admin");
    browser.find("section.card button").click();
    browser.awaitText("[aria-live]", "Intact:");
    browser.screenshot("07-audit");
  }

  @Test
  @Order(7)
  void keys_createExpiringKey_thenRotate_newSecretShownAndOldKeyStillListed() {
    browser.page("keys");
    browser.find("input[name=name]").sendKeys("browser-ci");
    new Select(browser.find("select[name=expires]")).selectByValue("30");
    browser.find("form.card button[type=submit]").click();
    browser.awaitText("[aria-live] .note", "Key browser-ci (user)");
    String first = browser.find("input.secret").getAttribute("value");

    WebElement rotate =
        browser.await(
            10,
            d ->
                browser.all("tr").stream()
                    .filter(r -> r.getText().contains("browser-ci"))
                    .map(r -> r.findElement(org.openqa.selenium.By.cssSelector("[data-rotate]")))
                    .findFirst()
                    .orElse(null));
    rotate.click();
    browser.driver.switchTo().alert().accept();
    browser.awaitText("[aria-live] .note", "New secret for browser-ci");
    String second = browser.find("input.secret").getAttribute("value");
    assertThat(second).startsWith("sk-sophia-").isNotEqualTo(first);
    browser.await(
        10,
        d ->
            browser.all("tr").stream().filter(r -> r.getText().contains("browser-ci")).count()
                == 2);
    assertThat(sophia.apiKeys().authenticate(first)).isPresent(); // its grace: 24 hours
    assertThat(sophia.apiKeys().authenticate(second)).isPresent();
    browser.screenshot("08-keys-rotated");
  }

  @Test
  @Order(7)
  void knowledge_ingestWhileServing_showsProgressAndTheDocument() throws Exception {
    Path more = Files.createDirectories(dir.resolve("more"));
    Files.writeString(
        more.resolve("vacuum.md"),
        "# Vacuum\n\nVACUUM rebuilds the database file, repacking it into a minimal amount of"
            + " disk space.\n");
    browser.page("knowledge");
    browser.find("input[name=path]").sendKeys(more.toString());
    browser.find("form.card button[type=submit]").click();

    browser.awaitText("[aria-live]", "succeeded");
    browser.awaitText(".docs", "Vacuum");
    browser.screenshot("07-knowledge");
  }

  @Test
  @Order(8)
  void everyPage_noSeriousAccessibilityViolations_inBothThemes() {
    List<String> found = new ArrayList<>();
    for (String theme : List.of("dark", "light")) {
      browser.js("localStorage.setItem('sophia.theme', arguments[0])", theme);
      browser.driver.navigate().refresh();
      for (String page : PAGES) {
        browser.page(page);
        browser.await(10, d -> browser.all("main h1").size() > 0);
        sleep(300); // let the page's first requests land
        browser.screenshot("08-" + page + "-" + theme);
        browser.accessibilityViolations().forEach(v -> found.add(page + "/" + theme + ": " + v));
      }
    }
    browser.js("localStorage.setItem('sophia.theme', 'dark')");
    browser.driver.navigate().refresh();

    assertThat(found).isEmpty();
  }

  @Test
  @Order(9)
  void everyPage_at360px_fitsWithoutSideScrolling() {
    try (Browser phone = Browser.start(360, 780)) {
      phone.driver.get(base + "/");
      phone.await(10, d -> phone.find("input[name=api_key]")).sendKeys(admin, Keys.ENTER);
      phone.awaitText("#nav", "Ask");
      assertThat(phone.js("return window.innerWidth")).isEqualTo(360L);
      List<String> overflowing = new ArrayList<>();
      for (String page : PAGES) {
        phone.page(page);
        sleep(300);
        phone.screenshot("09-" + page + "-360px");
        long width = (Long) phone.js("return document.documentElement.scrollWidth");
        long viewport = (Long) phone.js("return window.innerWidth");
        if (width > viewport) {
          overflowing.add(page + ": " + width + " px in " + viewport);
        }
      }
      assertThat(overflowing).isEmpty();
    }
  }

  @Test
  @Order(10)
  void keyboardAlone_reachesAndOpensEveryPage() {
    browser.page("ask");
    browser.js("document.activeElement.blur(); window.scrollTo(0, 0)");
    Actions keys = new Actions(browser.driver);
    for (String page : List.of("Agents", "Swarms", "Operations")) {
      browser.js("document.body.focus()");
      boolean reached = false;
      for (int i = 0; i < 20 && !reached; i++) {
        keys.sendKeys(Keys.TAB).perform();
        reached = page.equals(browser.js("return document.activeElement.textContent"));
      }
      assertThat(reached).as("Tab reaches " + page).isTrue();
      assertThat(browser.js("return getComputedStyle(document.activeElement).outlineStyle"))
          .isEqualTo("solid");
      keys.sendKeys(Keys.ENTER).perform();
      browser.awaitText("main h1", page.equals("Operations") ? "Operations" : page);
    }
    browser.screenshot("10-keyboard");
  }

  @Test
  @Order(11)
  void signOut_endsTheSessionEverywhere() throws Exception {
    String cookie = browser.driver.manage().getCookieNamed("sophia_session").getValue();
    browser.find("#signout").click();

    browser.await(10, d -> browser.find("input[name=api_key]"));
    HttpResponse<String> after =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
                    .header("Cookie", "sophia_session=" + cookie)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(browser.find("#nav").isDisplayed()).isFalse();
  }

  @Test
  @Order(12)
  void signIn_adminKeyWithSecondFactor_needsTheCode() {
    ai.sophia.security.IssuedKey ops = sophia.apiKeys().create("browser-ops", Role.admin);
    ai.sophia.security.TotpFactors.Enrollment e = sophia.totp().enroll(ops.key());
    assertThat(sophia.totp().confirm(ops.key().id(), code(e, 0))).isTrue();
    browser.driver.get(base + "/");
    WebElement key = browser.await(10, d -> browser.find("input[name=api_key]"));

    key.sendKeys(ops.secret(), Keys.ENTER);
    browser.awaitText("[aria-live]", "needs a one-time code");
    browser.find("input[name=api_key]").clear();
    browser.find("input[name=api_key]").sendKeys(ops.secret());
    browser.find("input[name=totp]").sendKeys(code(e, 30)); // the confirming step is used
    browser.find("form.signin button[type=submit]").click();
    browser.awaitText("#who", "browser-ops · admin");
    browser.screenshot("12-sign-in-second-factor");
  }

  private static String code(ai.sophia.security.TotpFactors.Enrollment e, int secondsAhead) {
    return ai.sophia.security.TotpFactors.code(
        e.secret(), java.time.Instant.now().plusSeconds(secondsAhead));
  }

  private boolean alertShown() {
    try {
      browser.driver.switchTo().alert();
      return true;
    } catch (NoAlertPresentException e) {
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
