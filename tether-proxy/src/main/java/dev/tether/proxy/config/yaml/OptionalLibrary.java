package dev.tether.proxy.config.yaml;

/**
 * A library that only some features of the proxy need, and that {@code tether-proxy} therefore
 * declares optional: an application embedding the proxy may leave it out. A configuration that asks
 * for such a feature without its library fails to load with a problem at the setting that asks for
 * it, naming the library, instead of a {@link NoClassDefFoundError} when the pool is built or the
 * first request arrives. The {@code tether} command ships every one of them.
 */
enum OptionalLibrary {

  /**
   * Lettuce: the Redis stick table ({@code table.store: redis}) and the shared route rate limit.
   */
  LETTUCE("io.lettuce:lettuce-core", "io.lettuce.core.RedisClient"),

  /** Nimbus JOSE + JWT: header affinity on a verified JWT claim ({@code header.jwt}). */
  NIMBUS("com.nimbusds:nimbus-jose-jwt", "com.nimbusds.jwt.SignedJWT");

  private final String coordinates;
  private final String probeClass;

  OptionalLibrary(String coordinates, String probeClass) {
    this.coordinates = coordinates;
    this.probeClass = probeClass;
  }

  /** The library's Maven coordinates, {@code group:artifact}. */
  String coordinates() {
    return coordinates;
  }

  /** True when the library's classes can be loaded by the proxy's own class loader. */
  boolean present() {
    try {
      Class.forName(probeClass, false, OptionalLibrary.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** The problem's message when {@code feature} is configured and the library is absent. */
  String missingFor(String feature) {
    return feature
        + " needs "
        + coordinates
        + " on the class path, and this installation does not"
        + " have it; add that library to the application (the tether command ships it) or remove"
        + " the setting";
  }
}
