package dev.tether.demo;

import org.junit.jupiter.api.Assumptions;

/** The shared services tests find through the environment (see the README's test section). */
final class Services {

  private Services() {}

  /** The Redis URI, or the test is skipped (or fails under TETHER_REQUIRE_SERVICES=true). */
  static String redis() {
    String uri = System.getenv("TETHER_TEST_REDIS_URI");
    if (uri == null || uri.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            "TETHER_TEST_REDIS_URI is not set, and TETHER_REQUIRE_SERVICES=true makes"
                + " a missing Redis a failure (source <(bash .ci/services.sh) starts one)");
      }
      Assumptions.abort("TETHER_TEST_REDIS_URI is not set: skipping the Redis demo test");
    }
    return uri;
  }

  /**
   * The PostgreSQL JDBC URL with its credentials in it, or the test is skipped (or fails, as
   * above).
   */
  static String postgres() {
    String url = System.getenv("TETHER_TEST_PG_URL");
    if (url == null || url.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            "TETHER_TEST_PG_URL is not set, and TETHER_REQUIRE_SERVICES=true makes"
                + " a missing PostgreSQL a failure (source <(bash .ci/services.sh) starts one)");
      }
      Assumptions.abort("TETHER_TEST_PG_URL is not set: skipping the PostgreSQL demo test");
    }
    String user = System.getenv("TETHER_TEST_PG_USER");
    String password = System.getenv("TETHER_TEST_PG_PASSWORD");
    return url + (url.contains("?") ? "&" : "?") + "user=" + user + "&password=" + password;
  }

  /** A namespace no other test run uses, so runs sharing one Redis or database do not mix. */
  static String namespace() {
    return "t" + Long.toString(System.nanoTime(), 36);
  }
}
