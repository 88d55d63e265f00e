package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.browser.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The pages in a real browser (Debian's headless Chromium): sign in, fill the cart, chat with a
 * user on another instance, see the countdown and the "stay signed in" warning work, and log out.
 * With {@code -Dtether.demo.screenshot=PATH} the shop page is saved there (the README's picture).
 */
class ShopBrowserTest {

  private WebDriver browser;

  private static WebDriver chromium() {
    return Chromium.start(1280, 820);
  }

  @AfterEach
  void quit() {
    if (browser != null) {
      browser.quit();
    }
  }

  private void signIn(DemoInstance at, String user) {
    browser.get("http://" + at.address() + "/login");
    browser.findElement(By.id("user")).sendKeys(user);
    browser.findElement(By.id("sign-in")).click();
    await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/"));
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  @Test
  void shopChatAndLogout() throws Exception {
    try (DemoCluster demo =
            DemoCluster.start(
                DemoSettings.defaults().withStore(StoreKind.FILE, null).withInstances(2));
        Shopper bob = new Shopper()) {
      DemoInstance s1 = demo.instance("s1");
      DemoInstance s2 = demo.instance("s2");
      browser = chromium();
      signIn(s1, "ada");
      assertThat(text("instance")).isEqualTo("s1");
      browser.findElement(By.id("add-mug")).click();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> browser.findElements(By.id("added")).size() == 1);
      browser.findElement(By.id("add-tee")).click();
      await().atMost(Duration.ofSeconds(10)).until(() -> text("cart-count").equals("2"));

      // the countdown runs in the page
      String first = text("remaining");
      await().atMost(Duration.ofSeconds(5)).until(() -> !text("remaining").equals(first));
      assertThat(text("remaining")).matches("29:5\\d");

      // bob, on the other instance, says hello; ada's page shows it, received on s1
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> text("chat-status").startsWith("connected"));
      bob.login(s2, "bob");
      try (Shopper.Chat chat = bob.chat(s2).ready()) {
        chat.say("Anyone tried the failover socks?");
        chat.next();
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> browser.findElements(By.cssSelector("#messages .msg")).size() == 1);
      assertThat(browser.findElement(By.cssSelector("#messages .msg")).getText())
          .contains("bob: Anyone tried the failover socks?")
          .contains("sent via s2 · received on s1");
      browser.findElement(By.id("chat-text")).sendKeys("Yes, they came back from both drawers.");
      browser.findElement(By.cssSelector("#chat-form button")).click();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> browser.findElements(By.cssSelector("#messages .msg")).size() == 2);

      String shot = System.getProperty("tether.demo.screenshot");
      if (shot != null && !shot.isBlank()) {
        Path png = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, Path.of(shot), StandardCopyOption.REPLACE_EXISTING);
      }

      browser.get("http://" + s2.address() + "/cart"); // another instance, the same cart
      assertThat(text("instance")).isEqualTo("s2");
      assertThat(browser.findElements(By.cssSelector("#cart tr[data-sku]"))).hasSize(2);

      browser.findElement(By.id("logout")).click();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> browser.findElements(By.id("bye")).size() == 1);
      browser.navigate().back(); // the cart page is not served from the cache
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> browser.getCurrentUrl().contains("/login"));
      assertThat(browser.findElements(By.id("cart"))).isEmpty();
    }
  }

  @Test
  void theWarningAppearsAndStaySignedInExtends() {
    try (DemoCluster demo =
        DemoCluster.start(
            DemoSettings.defaults()
                .withStore(StoreKind.MEMORY, null)
                .withInstances(1)
                .withIdleTimeout(Duration.ofSeconds(10)))) {
      DemoInstance s1 = demo.instance("s1");
      browser = chromium();
      signIn(s1, "ada");
      // the warning is the last fifth: 2 of 10 seconds
      assertThat(browser.findElement(By.id("warning")).isDisplayed()).isFalse();
      await()
          .atMost(Duration.ofSeconds(12))
          .until(() -> browser.findElement(By.id("warning")).isDisplayed());
      browser.findElement(By.id("extend")).click();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !browser.findElement(By.id("warning")).isDisplayed());
      assertThat(text("remaining")).matches("0:0[89]|0:10");
      // left alone, the session ends and the page goes to the login with the message
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> browser.findElements(By.id("expired")).size() == 1);
      assertThat(text("expired")).isEqualTo("Your session expired, please sign in again.");
    }
  }
}
