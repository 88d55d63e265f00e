package dev.tether.testing.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium for the browser tests, from the Debian packages ({@code chromium}, {@code
 * chromium-driver}) or {@code TETHER_TEST_CHROMIUM} / {@code TETHER_TEST_CHROMEDRIVER}. Both paths
 * are given explicitly, so Selenium Manager never downloads anything. When either is missing the
 * test is skipped, or fails under {@code TETHER_REQUIRE_SERVICES=true}.
 */
public final class Chromium {

  private Chromium() {}

  /** A new headless browser with its console log recorded; the caller quits it. */
  public static ChromeDriver start(int width, int height) {
    Path browser = find("TETHER_TEST_CHROMIUM", "/usr/bin/chromium");
    Path driver = find("TETHER_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=" + width + "," + height,
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--metrics-recording-only",
        "--no-default-browser-check");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver d = new ChromeDriver(service, options);
    d.manage().window().setSize(new Dimension(width, height));
    return d;
  }

  private static Path find(String env, String fallback) {
    String configured = System.getenv(env);
    Path p = Path.of(configured == null || configured.isBlank() ? fallback : configured);
    if (!Files.isExecutable(p)) {
      String why =
          p
              + " is not an executable (set "
              + env
              + ", or install the Debian packages chromium and chromium-driver)";
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            why + ", and TETHER_REQUIRE_SERVICES=true makes a missing browser a failure");
      }
      Assumptions.abort(why + ": skipping the browser test");
    }
    return p;
  }
}
