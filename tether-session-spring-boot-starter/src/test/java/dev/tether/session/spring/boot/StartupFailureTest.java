package dev.tether.session.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * Start-up stops on a bad property, an unknown key, an unknown store and an unreachable Redis, and
 * Spring Boot's failure report (our analyser, found through {@code spring.factories}) names the
 * property and what is allowed.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @Test
  void aBadValueNamesThePropertyAndTheAllowedValues(CapturedOutput out) {
    assertStartFails(out, "tether.session.cookie.same-site=None")
        .contains("invalid property tether.session.cookie.same-site='None'")
        .contains("Set tether.session.cookie.same-site to one of: Strict or Lax.");
  }

  @Test
  void anUnknownKeyIsNamedWithTheKnownOnes(CapturedOutput out) {
    assertStartFails(out, "tether.session.cookie.nmae=SID")
        .contains("invalid property tether.session.cookie.nmae: unknown property")
        .contains("Remove tether.session.cookie.nmae or correct its name; the known properties are")
        .contains("tether.session.cookie.name,");
  }

  @Test
  void anUnknownStoreSettingIsNamedWithTheStoresSettings(CapturedOutput out) {
    assertStartFails(
            out, "tether.session.store=redis", "tether.session.store.urii=redis://127.0.0.1:6379")
        .contains("unknown setting(s) [urii] for session store 'redis'")
        .contains(
            "allowed: [buckets, connect-timeout, key-prefix, mode, safety-margin, timeout, uri]");
  }

  @Test
  void anUnknownStoreListsTheAvailableStores(CapturedOutput out) {
    assertStartFails(out, "tether.session.store=mongo")
        .contains("invalid property tether.session.store='mongo'")
        .contains("Set tether.session.store to one of: cookie, file, grid, jdbc, memory, redis.");
  }

  @Test
  void aBadDurationIsReportedBySpringBootsBindAnalyser(CapturedOutput out) {
    assertStartFails(out, "tether.session.idle-timeout=soon")
        .contains("tether.session.idle-timeout")
        .contains("soon");
  }

  @Test
  void anUnreachableRedisStopsStartUp(CapturedOutput out) {
    // port 1 (tcpmux) on loopback: nothing listens there, the connection is refused at once
    assertStartFails(
            out,
            "tether.session.store=redis",
            "tether.session.store.uri=redis://127.0.0.1:1",
            "tether.session.store.timeout=2s")
        .contains(
            "session store 'redis' (tether.session.store=redis, settings {timeout=2s, uri=redis://127.0.0.1:1})"
                + " cannot be reached")
        .contains("Start the redis store or correct tether.session.store.*");
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertStartFails(
      CapturedOutput out, String... properties) {
    Throwable failure =
        catchThrowable(
            () ->
                new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE)
                    .properties("spring.main.banner-mode=off")
                    .properties(properties)
                    .run()
                    .close());
    assertThat(failure).as("start-up with %s", (Object) properties).isNotNull();
    assertThat(out.getAll()).contains("APPLICATION FAILED TO START");
    return assertThat(out.getAll());
  }
}
