package dev.tether.session.dropin;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The outside services the drop-in tests need. A missing one skips the test, unless {@code
 * TETHER_REQUIRE_SERVICES=true}, which makes it a failure (as in tether-it's {@code Stores}).
 */
final class Services {

  private Services() {}

  /** {@code TETHER_TEST_REDIS_URI}. */
  static String redis() {
    return require(
        System.getenv("TETHER_TEST_REDIS_URI"),
        "TETHER_TEST_REDIS_URI is not set",
        "source <(bash .ci/services.sh) starts one");
  }

  /**
   * {@code TETHER_TEST_PG_URL} and {@code TETHER_TEST_PG_USER}; the password stays in {@code
   * TETHER_TEST_PG_PASSWORD}, for {@code store.password-env}.
   */
  static String[] postgres() {
    String url =
        require(
            System.getenv("TETHER_TEST_PG_URL"),
            "TETHER_TEST_PG_URL is not set",
            "source <(bash .ci/services.sh) starts PostgreSQL");
    return new String[] {
      url,
      require(
          System.getenv("TETHER_TEST_PG_USER"),
          "TETHER_TEST_PG_USER is not set",
          "source <(bash .ci/services.sh)")
    };
  }

  /** {@code TETHER_TEST_CATALINA_HOME}, else {@code /usr/share/tomcat10} when it is there. */
  static Path catalinaHome() {
    String home = System.getenv("TETHER_TEST_CATALINA_HOME");
    if (home == null || home.isBlank()) {
      home =
          Files.isRegularFile(Path.of("/usr/share/tomcat10/bin/bootstrap.jar"))
              ? "/usr/share/tomcat10"
              : null;
    }
    String found =
        require(
            home,
            "no Tomcat 10.1: TETHER_TEST_CATALINA_HOME is not set and /usr/share/tomcat10"
                + " is missing",
            "apt-get install tomcat10");
    Path p = Path.of(found);
    if (!Files.isRegularFile(p.resolve("bin/bootstrap.jar"))) {
      throw new IllegalStateException(p + " is no CATALINA_HOME: bin/bootstrap.jar is missing");
    }
    return p;
  }

  private static String require(String value, String missing, String remedy) {
    if (value == null || value.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            missing + ", and TETHER_REQUIRE_SERVICES=true makes that a failure (" + remedy + ")");
      }
      Assumptions.abort(missing + ": skipping");
    }
    return value;
  }
}
