package ai.sophia.server;

import ai.sophia.mcp.NodePeers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven by Selenium through Debian's chromedriver (both installed by
 * {@code bin/setup-browser.sh}); nothing is downloaded. Screenshots go to {@code
 * target/screenshots/}; axe-core (npm, pinned beside the MCP test peers) checks accessibility.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target/screenshots");

  final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Whether the system browser and its driver are installed. */
  static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  static Browser start(int width, int height) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    if (width < 500) {
      // Chrome will not make a window narrower than 500 px; a phone's viewport is emulated.
      driver.executeCdpCommand(
          "Emulation.setDeviceMetricsOverride",
          java.util.Map.of(
              "width", width, "height", height, "deviceScaleFactor", 1, "mobile", true));
    }
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return new Browser(driver);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Waits up to {@code seconds} for {@code condition} to be non-null and not false. */
  <T> T await(int seconds, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, Duration.ofSeconds(seconds))
          .pollingEvery(Duration.ofMillis(50))
          .ignoring(org.openqa.selenium.NoSuchElementException.class)
          .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .until(condition);
    } catch (org.openqa.selenium.TimeoutException e) {
      String name = "failed-" + System.nanoTime();
      screenshot(name);
      String text = driver.findElement(By.tagName("body")).getText();
      throw new AssertionError(
          "waited "
              + seconds
              + " s in vain (screenshot "
              + name
              + ".png); the page said: "
              + text.substring(0, Math.min(3000, text.length())),
          e);
    }
  }

  /** Waits for the element matching {@code css} whose text contains {@code text}. */
  WebElement awaitText(String css, String text) {
    return await(
        30,
        d ->
            d.findElements(By.cssSelector(css)).stream()
                .filter(e -> e.getText().contains(text))
                .findFirst()
                .orElse(null));
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Opens a page of the dashboard by its name and waits until it has rendered. */
  void page(String name) {
    js("location.hash = '#/' + arguments[0]", name);
    await(15, d -> name.equals(js("return document.getElementById('main').dataset.ready")));
  }

  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.move(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** axe-core's serious and critical violations on the page as it is now, one line each. */
  @SuppressWarnings("unchecked")
  List<String> accessibilityViolations() {
    if (!Boolean.TRUE.equals(js("return typeof window.axe === 'object'"))) {
      try {
        js(Files.readString(NodePeers.folder().resolve("node_modules/axe-core/axe.min.js")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return (List<String>)
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "axe.run(document, {resultTypes: ['violations']}).then(r => done("
                    + "r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    + ".map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '"
                    + " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))"
                    + ".catch(e => done(['axe failed: ' + e]));");
  }

  @Override
  public void close() {
    driver.quit();
  }
}
