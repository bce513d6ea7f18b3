package ai.sophia.bench;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.security.Role;
import ai.sophia.server.Sophia;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's weight and speed in Debian's headless Chromium against a real Sophia on loopback:
 * bytes transferred and time to interactive (navigation start to the page's {@code
 * sophia:ready:<page>} mark) for the first load with an empty cache and for each page loaded afresh
 * with a warm cache, against the baseline of loading {@code /health} (one small document from the
 * same server) in the same browser; and the delay from a deployment's log line being written on the
 * server to its appearing on screen, against the baseline of a plain JDK client reading the same
 * server-sent events.
 */
public final class DashboardLoad {
  private static final List<String> PAGES =
      List.of("ask", "agents", "swarms", "knowledge", "code", "ops", "keys");

  private DashboardLoad() {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("runs", "lines"));
    int runs = flags.integer("runs", 10, 1, 1000);
    int lines = flags.integer("lines", 40, 5, 10_000);
    try (ScratchDirectory dir = ScratchDirectory.create("sophia-dashboard-bench")) {
      Path yaml =
          Files.writeString(
              dir.path().resolve("sophia.yaml"),
              "deploy:\n  targets:\n    stamps:\n      type: command\n      command: [sh, -c,"
                  + " \"i=0; while [ $i -lt "
                  + lines
                  + " ]; do date +%s%3N; sleep 0.1; i=$((i+1)); done\"]\n");
      Map<String, String> env =
          Map.of(
              "SOPHIA_DATA_DIR", dir.path().resolve("data").toString(),
              "SOPHIA_SERVER_PORT", "0",
              "SOPHIA_SECURITY_RATE_LIMIT_BURST", "100000",
              "SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND", "100000");
      SophiaConfig config = ConfigLoader.create(env).load(Optional.of(yaml));
      try (Sophia sophia = Sophia.open(config, env)) {
        String base = "http://127.0.0.1:" + sophia.serve(new PrintWriter(new StringWriter()));
        String admin = sophia.apiKeys().create("bench", Role.admin).secret();
        ChromeDriver driver = browser();
        try {
          pages(driver, base, admin, runs);
          delay(driver, base, admin);
        } finally {
          driver.quit();
        }
      }
    }
    // Selenium's HTTP client keeps non-daemon threads alive after quit(); the run is over.
    System.exit(0);
  }

  private static void pages(ChromeDriver driver, String base, String admin, int runs) {
    JavascriptExecutor js = driver;
    driver.get(base + "/");
    Load first = load(driver, "signin");
    System.out.printf(
        "first load (empty cache, sign-in page): %d bytes in %d requests, interactive in %.1f ms%n",
        first.bytes(), first.requests(), first.readyMs());
    driver.findElement(By.cssSelector("input[name=api_key]")).sendKeys(admin, Keys.ENTER);
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(
            d ->
                "ask"
                    .equals(
                        js.executeScript("return document.getElementById('main').dataset.ready")));
    double[] baseline = new double[runs];
    for (int i = 0; i < runs; i++) {
      driver.get("about:blank");
      driver.get(base + "/health");
      baseline[i] =
          ((Number)
                  js.executeScript(
                      "const n = performance.getEntriesByType('navigation')[0];"
                          + " return n.responseEnd - n.startTime;"))
              .doubleValue();
    }
    double base50 = Percentile.of(baseline, 0.5);
    System.out.printf("baseline, GET /health as a document: p50 %.1f ms%n", base50);
    System.out.println(
        "page       cold cache: bytes  interactive | warm cache: bytes  requests  interactive p50"
            + "     p90  ratio to baseline");
    for (String page : PAGES) {
      driver.executeCdpCommand("Network.clearBrowserCache", Map.of());
      driver.get("about:blank");
      driver.get(base + "/#/" + page);
      Load cold = load(driver, page);
      double[] ready = new double[runs];
      long bytes = 0;
      int requests = 0;
      for (int i = 0; i < runs; i++) {
        driver.get("about:blank"); // a real page load, not a hash change
        driver.get(base + "/#/" + page);
        Load l = load(driver, page);
        ready[i] = l.readyMs();
        bytes = l.bytes();
        requests = l.requests();
      }
      double p50 = Percentile.of(ready, 0.5);
      System.out.printf(
          "%-10s %17d %9.1f ms | %17d %9d %12.1f ms %5.1f ms %6.1fx%n",
          page,
          cold.bytes(),
          cold.readyMs(),
          bytes,
          requests,
          p50,
          Percentile.of(ready, 0.9),
          p50 / base50);
    }
  }

  /** What the page cost, read from the browser's resource timing once it marked itself ready. */
  private static Load load(ChromeDriver driver, String page) {
    JavascriptExecutor js = driver;
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(
            d ->
                (Boolean)
                    js.executeScript(
                        "return performance.getEntriesByName('sophia:ready:' + arguments[0]).length > 0",
                        page));
    try {
      Thread.sleep(500); // the page's first API calls land
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    @SuppressWarnings("unchecked")
    List<Number> r =
        (List<Number>)
            js.executeScript(
                "const nav = performance.getEntriesByType('navigation')[0];"
                    + " const res = performance.getEntriesByType('resource');"
                    + " const bytes = nav.transferSize + res.reduce((s, e) => s + e.transferSize, 0);"
                    + " const mark = performance.getEntriesByName('sophia:ready:' + arguments[0])[0];"
                    + " return [bytes, res.length + 1, mark.startTime];",
                page);
    return new Load(r.get(0).longValue(), r.get(1).intValue(), r.get(2).doubleValue());
  }

  record Load(long bytes, int requests, double readyMs) {}

  /**
   * Deploys a target whose every log line is the epoch millisecond it was written; the page records
   * when each appears on screen, a JDK client reading the same stream when it arrives.
   */
  private static void delay(ChromeDriver driver, String base, String admin) throws Exception {
    JavascriptExecutor js = driver;
    driver.get(base + "/#/code");
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(d -> !d.findElements(By.cssSelector("select[name=target] option")).isEmpty());
    js.executeScript(
        "window.__delays = []; const seen = new Set();"
            + " new MutationObserver(() => { const log = document.querySelector('pre.log');"
            + " if (!log) return; const now = Date.now();"
            + " for (const m of log.textContent.matchAll(/(\\d{13})/g)) {"
            + " if (!seen.has(m[1])) { seen.add(m[1]); window.__delays.push(now - Number(m[1])); } } })"
            + ".observe(document.getElementById('main'), {childList: true, subtree: true, characterData: true});");
    new Select(driver.findElement(By.cssSelector("select[name=target]"))).selectByValue("stamps");
    driver.findElement(By.cssSelector("form.card button[type=submit]")).click();
    String id =
        new WebDriverWait(driver, Duration.ofSeconds(20))
            .until(d -> d.findElement(By.cssSelector("section h2 code")).getText());
    CompletableFuture<List<Double>> raw =
        CompletableFuture.supplyAsync(() -> rawDelays(base, admin, id));
    new WebDriverWait(driver, Duration.ofSeconds(120))
        .until(d -> d.findElement(By.cssSelector("pre.log")).getText().contains("— healthy"));
    @SuppressWarnings("unchecked")
    List<Number> screen = (List<Number>) js.executeScript("return window.__delays");
    // The browser joined after the first lines were written: those are replays, not live.
    double[] onScreen = screen.stream().skip(3).mapToDouble(Number::doubleValue).toArray();
    double[] jdk = raw.get().stream().skip(3).mapToDouble(Double::doubleValue).toArray();
    double s50 = Percentile.of(onScreen, 0.5);
    double j50 = Percentile.of(jdk, 0.5);
    System.out.printf(
        "event to screen: %d lines, p50 %.1f ms, p90 %.1f ms; JDK SSE client (baseline): p50 %.1f"
            + " ms, p90 %.1f ms; screen minus baseline p50 %.1f ms%n",
        onScreen.length,
        s50,
        Percentile.of(onScreen, 0.9),
        j50,
        Percentile.of(jdk, 0.9),
        s50 - j50);
  }

  private static List<Double> rawDelays(String base, String admin, String id) {
    List<Double> delays = new ArrayList<>();
    try {
      HttpResponse<java.util.stream.Stream<String>> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/api/v1/deploy/" + id + "/logs"))
                      .header("Authorization", "Bearer " + admin)
                      .build(),
                  HttpResponse.BodyHandlers.ofLines());
      r.body()
          .forEach(
              line -> {
                Matcher m = Pattern.compile("\"text\":\"[^\"0-9]*(\\d{13})").matcher(line);
                if (m.find()) {
                  delays.add((double) (System.currentTimeMillis() - Long.parseLong(m.group(1))));
                }
              });
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return delays;
  }

  private static ChromeDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900");
    return new ChromeDriver(
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
            .build(),
        options);
  }
}
