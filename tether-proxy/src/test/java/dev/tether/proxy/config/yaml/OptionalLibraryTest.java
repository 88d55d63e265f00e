package dev.tether.proxy.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The proxy with its optional libraries (Lettuce, Nimbus) taken off the class path, as an
 * application that embeds it without them has it: the proxy's classes load in a class loader of
 * their own that finds everything else (Netty, so the leak detector still watches, SnakeYAML,
 * tether-balance, ...) through this test's loader, except those two libraries. A configuration that
 * asks for a feature of theirs fails to load with a problem at the setting, naming the library; one
 * that does not starts, and proxies a request.
 */
@ExtendWith(LeakDetection.class)
class OptionalLibraryTest {

  private static final String HEAD =
      """
      listen: 127.0.0.1:0
      pools:
        web:
          servers: [ { name: s1, address: 127.0.0.1:9001 } ]
      """;

  private static URLClassLoader without;

  /** The test's own loader, minus the proxy (loaded again below) and its optional libraries. */
  private static final class Hiding extends ClassLoader {
    private static final List<String> HIDDEN =
        List.of("io.lettuce.", "com.nimbusds.", "dev.tether.proxy.");

    Hiding(ClassLoader parent) {
      super("hiding-optional", parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (HIDDEN.stream().anyMatch(name::startsWith)) {
        throw new ClassNotFoundException(name);
      }
      return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
      String dotted = name.replace('/', '.');
      return HIDDEN.stream().anyMatch(dotted::startsWith) ? null : super.getResource(name);
    }

    @Override
    public java.util.Enumeration<URL> getResources(String name) throws java.io.IOException {
      String dotted = name.replace('/', '.');
      return HIDDEN.stream().anyMatch(dotted::startsWith)
          ? java.util.Collections.emptyEnumeration()
          : super.getResources(name);
    }
  }

  @BeforeAll
  static void proxyWithoutOptionalLibraries() throws Exception {
    URL proxyClasses = TetherConfig.class.getProtectionDomain().getCodeSource().getLocation();
    without =
        new URLClassLoader(
            "proxy-without-optional",
            new URL[] {proxyClasses},
            new Hiding(OptionalLibraryTest.class.getClassLoader()));
  }

  @AfterAll
  static void close() throws Exception {
    without.close();
  }

  @Test
  void theLibrariesAreAbsentInTheIsolatedLoader() throws Exception {
    assertThatThrownBy(() -> without.loadClass("io.lettuce.core.RedisClient"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> without.loadClass("com.nimbusds.jwt.SignedJWT"))
        .isInstanceOf(ClassNotFoundException.class);
    Class<?> library = without.loadClass(OptionalLibrary.class.getName());
    for (Object constant : library.getEnumConstants()) {
      Method present = library.getDeclaredMethod("present");
      present.setAccessible(true);
      assertThat((boolean) present.invoke(constant)).as(constant.toString()).isFalse();
    }
    assertThat(without.loadClass(TetherConfig.class.getName())).isNotSameAs(TetherConfig.class);
    // and present here, where the proxy's own tests run
    assertThat(OptionalLibrary.LETTUCE.present()).isTrue();
    assertThat(OptionalLibrary.NIMBUS.present()).isTrue();
  }

  @Test
  void aRedisStickTableIsAProblemAtItsStoreNamingLettuce() {
    String message =
        problemsOf(
            HEAD
                + """
            affinity:
              mode: app-cookie
              table: { store: redis, redis-uri: "redis://127.0.0.1:6379" }
        """);
    assertThat(message)
        .contains(
            "t.yaml:7",
            "pools.web.affinity.table.store",
            "store: redis needs io.lettuce:lettuce-core on the class path");
  }

  @Test
  void aSharedRateLimitIsAProblemAtSharedNamingLettuce() {
    String message =
        problemsOf(
            HEAD
                + """
        routes:
          - { path-prefix: /, pool: web, rate-limit: { rate: 10/s, shared: { redis-uri: "redis://127.0.0.1:6379" } } }
        """);
    assertThat(message)
        .contains(
            "routes[0].rate-limit.shared",
            "a shared rate limit needs io.lettuce:lettuce-core on the class path");
  }

  @Test
  void aJwtClaimKeyIsAProblemAtJwtNamingNimbus() {
    String message =
        problemsOf(
            HEAD
                + """
            affinity:
              mode: header
              header: { jwt: { claim: sub, algorithms: [HS256], secret: "0123456789abcdef0123456789abcdef" } }
        """);
    assertThat(message)
        .contains(
            "pools.web.affinity.header.jwt",
            "verifying a JWT needs com.nimbusds:nimbus-jose-jwt on the class path");
  }

  @Test
  void withoutThoseFeaturesTheProxyStartsAndProxies() throws Exception {
    try (TestBackend backend = TestBackend.start("s1");
        HttpClient http = HttpClient.newHttpClient()) {
      Object config =
          parse(
              """
          listen: 127.0.0.1:0
          pools:
            web:
              servers: [ { name: s1, address: %s } ]
              affinity: { mode: cookie }
          """
                  .formatted(backend.address()));
      Class<?> server = without.loadClass("dev.tether.proxy.control.ControlPlane");
      Class<?> configType = without.loadClass(TetherConfig.class.getName());
      try (AutoCloseable tether =
          (AutoCloseable) invoke(server.getMethod("start", configType), null, config)) {
        Object proxy = server.getMethod("proxy").invoke(tether);
        int port = (int) proxy.getClass().getMethod("port").invoke(proxy);
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("set-cookie")).isPresent();
      }
    }
  }

  /** The configuration read by the isolated proxy. */
  private static Object parse(String yaml) throws Exception {
    Class<?> loader = without.loadClass(ConfigLoader.class.getName());
    return invoke(
        loader.getMethod("parse", String.class, String.class, java.util.function.Function.class),
        null,
        yaml,
        "t.yaml",
        (java.util.function.Function<String, String>) Map.<String, String>of()::get);
  }

  /** The message of the isolated proxy's ConfigException for {@code yaml}. */
  private static String problemsOf(String yaml) {
    try {
      parse(yaml);
    } catch (Throwable t) {
      assertThat(t.getClass().getName()).isEqualTo(ConfigException.class.getName());
      return t.getMessage();
    }
    throw new AssertionError("the configuration loaded without its library:\n" + yaml);
  }

  private static Object invoke(Method method, Object target, Object... args) throws Exception {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
