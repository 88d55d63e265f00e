package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.app.demo.DemoBalancerConfig;
import dev.tether.app.demo.DemoRuntime;
import dev.tether.demo.DemoSettings;
import dev.tether.demo.StoreKind;
import dev.tether.testing.browser.Chromium;
import dev.tether.testing.leak.LeakDetection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * What {@code tether demo} promises, in a real browser (headless Chromium): sign in to the shop,
 * put three things in the cart, kill the instance that served them from the dashboard, reload the
 * shop. With the replicated grid another instance serves the same cart; with {@code memory} the
 * cart is gone and the shop asks to sign in again. Screenshots of both pages go to {@code
 * target/screenshots/}.
 */
@ExtendWith(LeakDetection.class)
class DemoBrowserTest {

  private static final Path SHOTS = Path.of("target", "screenshots");
  private DemoRuntime demo;
  private ChromeDriver browser;

  @AfterEach
  void stop() {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      if (demo != null) {
        demo.close();
      }
    }
  }

  @Test
  void withTheGridTheCartOutlivesTheInstanceThatServedIt() throws Exception {
    String shop = start(StoreKind.GRID);
    String served = signInAndFillCart("grid");
    killFromTheDashboard(served, "grid");

    browser.switchTo().window(shopTab);
    browser.navigate().refresh();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              browser.get(shop + "cart");
              assertThat(text("#instance")).isNotEqualTo(served);
              assertThat(text("#cart-count")).isEqualTo("3");
            });
    assertThat(
            browser.findElements(By.cssSelector("main table tr")).stream()
                .map(WebElement::getText)
                .toList())
        .anyMatch(r -> r.contains("Tether mug"))
        .anyMatch(r -> r.contains("Sticky T-shirt"))
        .anyMatch(r -> r.contains("Failover socks"));
    shot("demo-grid-cart-after-kill");
    assertThat(consoleErrors()).isEmpty();
  }

  @Test
  void withMemoryTheCartDiesWithItsInstance() throws Exception {
    String shop = start(StoreKind.MEMORY);
    String served = signInAndFillCart("memory");
    killFromTheDashboard(served, "memory");

    browser.switchTo().window(shopTab);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              browser.get(shop + "cart");
              assertThat(text("#instance")).isNotEqualTo(served);
              assertThat(browser.getCurrentUrl()).contains("/login");
              assertThat(text("#expired")).contains("Your session expired");
            });
    shot("demo-memory-cart-lost");
    assertThat(consoleErrors()).isEmpty();
  }

  private String shopTab;
  private String dashboardTab;

  private String start(StoreKind kind) {
    demo =
        DemoRuntime.start(
            DemoSettings.defaults().withStore(kind, null).withNamespace("browser_" + kind.id()),
            new DemoBalancerConfig("127.0.0.1", 0, 0, kind != StoreKind.MEMORY));
    browser = Chromium.start(1280, 900);
    shopTab = browser.getWindowHandle();
    return demo.shopUrl();
  }

  /** Signs in as ada, adds three products, and returns the instance that served the cart. */
  private String signInAndFillCart(String label) throws Exception {
    browser.get(demo.shopUrl());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.id("user")).isEmpty());
    browser.findElement(By.id("user")).sendKeys("ada");
    browser.findElement(By.id("sign-in")).click();
    for (String sku : List.of("mug", "tee", "socks")) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !browser.findElements(By.id("add-" + sku)).isEmpty());
      browser.findElement(By.id("add-" + sku)).click();
    }
    browser.get(demo.shopUrl() + "cart");
    assertThat(text("#cart-count")).isEqualTo("3");
    shot("demo-" + label + "-cart");
    return text("#instance");
  }

  private void killFromTheDashboard(String instance, String label) throws Exception {
    browser.switchTo().newWindow(WindowType.TAB);
    dashboardTab = browser.getWindowHandle();
    browser.get(demo.adminUrl());
    String row = "tr[data-server='" + instance + "'] ";
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(browser.findElements(By.cssSelector("#servers tbody tr"))).hasSize(3);
              assertThat(text(row + "td.state .badge")).isEqualTo("UP");
              assertThat(
                      browser
                          .findElement(By.cssSelector(row + "button[data-action='kill']"))
                          .isDisplayed())
                  .isTrue();
            });
    browser.findElement(By.cssSelector(row + "button[data-action='kill']")).click();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(text(row + "td.state .badge")).isEqualTo("DOWN"));
    shot("demo-" + label + "-dashboard-after-kill");
  }

  private String text(String css) {
    // read in one script: the dashboard re-renders every poll, so a found element may be gone a
    // moment later
    Object text =
        browser.executeScript(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
    return String.valueOf(text).trim();
  }

  private void shot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }

  private List<String> consoleErrors() {
    List<String> errors = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errors.add(e.getMessage());
      }
    }
    return errors;
  }
}
