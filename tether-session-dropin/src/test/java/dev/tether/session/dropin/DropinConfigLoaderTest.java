package dev.tether.session.dropin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropinConfigLoaderTest {

  @TempDir Path dir;

  private final Map<String, String> env = new HashMap<>();
  private final Map<String, String> props = new HashMap<>();

  private DropinConfig load() {
    return loader().load();
  }

  private DropinConfigLoader loader() {
    return new DropinConfigLoader(env, props::get, new URLClassLoader(new URL[0], null));
  }

  private Path file(String text) throws IOException {
    Path f = dir.resolve("tether-session.properties");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void readsTheFileNamedByTheSystemPropertyWithDefaults() throws IOException {
    props.put(
        "tether.session.config",
        file("store=redis\nstore.uri=redis://127.0.0.1:6379\n").toString());
    DropinConfig c = load();
    assertThat(c.source()).isEqualTo(dir.resolve("tether-session.properties").toString());
    assertThat(c.store()).isEqualTo("redis");
    assertThat(c.storeSettings()).containsExactly(Map.entry("uri", "redis://127.0.0.1:6379"));
    assertThat(c.cookie().name()).isEqualTo("__Host-TSESSION");
    assertThat(c.cookie().sameSite()).isEqualTo("Lax");
    assertThat(c.idleTimeout()).isEmpty();
    assertThat(c.nearCacheOn()).isTrue();
  }

  @Test
  void circuitBreakerAndTimeoutKeysFromTheFileAndTheEnvironment() throws IOException {
    props.put(
        "tether.session.config",
        file("store=jdbc\nstore.url=jdbc:postgresql://db/app\n"
                + "store.circuit.failures=3\nstore.query-timeout=2s\nstore.connect-timeout=1s\n")
            .toString());
    env.put("TETHER_SESSION_STORE_CIRCUIT_COOL_DOWN", "10s");
    env.put("TETHER_SESSION_STORE_CIRCUIT_ENABLED", "true");
    assertThat(load().storeSettings())
        .containsOnly(
            Map.entry("url", "jdbc:postgresql://db/app"), Map.entry("circuit.failures", "3"),
            Map.entry("circuit.cool-down", "10s"), Map.entry("circuit.enabled", "true"),
            Map.entry("query-timeout", "2s"), Map.entry("connect-timeout", "1s"));
  }

  @Test
  void aMisspelledCircuitKeyIsNamedWithTheNearestOne() throws IOException {
    Path f = file("store=redis\nstore.uri=redis://h:6379\nstore.circuit.cooldown=5s\n");
    props.put("tether.session.config", f.toString());
    assertThatThrownBy(this::load)
        .isInstanceOf(DropinConfigException.class)
        .hasMessageContaining(f + ":3: unknown key 'store.circuit.cooldown' for store 'redis'")
        .hasMessageContaining("did you mean 'store.circuit.cool-down'?");
  }

  @Test
  void theSystemPropertyWinsOverTheEnvironmentVariable() throws IOException {
    props.put("tether.session.config", file("store=memory\n").toString());
    env.put("TETHER_SESSION_CONFIG", dir.resolve("elsewhere.properties").toString());
    assertThat(load().store()).isEqualTo("memory");
  }

  @Test
  void readsTheClassPathFileWhenNoneIsNamed() throws IOException {
    file("store=memory\ncookie.secure=false\ncookie.name=SHOP\n");
    DropinConfigLoader l =
        new DropinConfigLoader(
            env, props::get, new URLClassLoader(new URL[] {dir.toUri().toURL()}, null));
    DropinConfig c = l.load();
    assertThat(c.source()).startsWith("file:").endsWith("tether-session.properties");
    assertThat(c.cookie().name()).isEqualTo("SHOP");
    assertThat(c.nearCacheOn()).isFalse();
  }

  @Test
  void environmentVariablesOverrideKeysByOneRule() throws IOException {
    env.put("TETHER_SESSION_CONFIG", file("store=memory\nidle-timeout=10m\n").toString());
    env.put("TETHER_SESSION_STORE", "jdbc");
    env.put("TETHER_SESSION_STORE_URL", "jdbc:h2:mem:x");
    env.put("TETHER_SESSION_STORE_TABLE_PREFIX", "app_");
    env.put("TETHER_SESSION_COOKIE_SAME_SITE", "strict");
    env.put("TETHER_SESSION_IDLE_TIMEOUT", "PT15M");
    env.put("TETHER_SESSION_NEAR_CACHE", "off");
    DropinConfig c = load();
    assertThat(c.store()).isEqualTo("jdbc");
    assertThat(c.storeSettings())
        .containsEntry("url", "jdbc:h2:mem:x")
        .containsEntry("table-prefix", "app_");
    assertThat(c.cookie().sameSite()).isEqualTo("Strict");
    assertThat(c.idleTimeout()).contains(Duration.ofMinutes(15));
    assertThat(c.nearCacheOn()).isFalse();
    assertThat(DropinConfigLoader.envName("cookie.host-prefix"))
        .isEqualTo("TETHER_SESSION_COOKIE_HOST_PREFIX");
  }

  @Test
  void theEnvironmentAloneMayConfigure() {
    env.put("TETHER_SESSION_STORE", "memory");
    assertThat(load().source()).startsWith("the environment");
  }

  @Test
  void noConfigurationAtAllFailsRatherThanFallingBack() {
    assertThatThrownBy(this::load)
        .isInstanceOf(DropinConfigException.class)
        .hasMessageContaining(
            "no configuration found: set the system property tether.session.config")
        .hasMessageContaining("TETHER_SESSION_CONFIG");
  }

  @Test
  void aNamedFileThatIsMissingFails() {
    env.put("TETHER_SESSION_CONFIG", dir.resolve("nope.properties").toString());
    assertThatThrownBy(this::load)
        .hasMessage(
            "tether-session: "
                + dir.resolve("nope.properties")
                + " (named by the environment"
                + " variable TETHER_SESSION_CONFIG) does not exist or is not a file; allowed: the path of"
                + " a readable properties file");
  }

  @Test
  void anUnknownKeyNamesFileLineAndTheNearestKey() throws IOException {
    props.put("tether.session.config", file("# shop\nstore=memory\n\nidle-timout=5m\n").toString());
    assertThatThrownBy(this::load)
        .hasMessageStartingWith(
            "tether-session: "
                + dir.resolve("tether-session.properties")
                + ":4: unknown key 'idle-timout'; did you mean 'idle-timeout'?; allowed: [store,");
  }

  @Test
  void anUnknownStoreSettingNamesTheStoresSettings() throws IOException {
    props.put("tether.session.config", file("store=jdbc\nstore.urll=jdbc:h2:mem:x\n").toString());
    assertThatThrownBy(this::load)
        .hasMessageEndingWith(
            ":2: unknown key 'store.urll' for store 'jdbc'; did you mean 'store.url'?;"
                + " allowed: [store.circuit.cool-down, store.circuit.enabled, store.circuit.failures,"
                + " store.circuit.ratio, store.circuit.window, store.connect-timeout, store.password,"
                + " store.pool-size, store.query-timeout, store.replica-password, store.replica-reads,"
                + " store.replica-urls, store.replica-user, store.table-prefix, store.url, store.user]");
  }

  @Test
  void replicaSettingsPassToTheJdbcStoreWithTheirSecretFromTheEnvironment() throws IOException {
    props.put(
        "tether.session.config",
        file("store=jdbc\nstore.url=jdbc:postgresql://db/app\n"
                + "store.replica-urls=jdbc:postgresql://replica/app\nstore.replica-password-env=REPLICA_PASSWORD\n")
            .toString());
    env.put("REPLICA_PASSWORD", "r3plica");
    assertThat(load().storeSettings())
        .containsEntry("replica-urls", "jdbc:postgresql://replica/app")
        .containsEntry("replica-password", "r3plica");
  }

  @Test
  void theCookieStoreTakesTheSessionCookiesNameAndNoNearCache() throws IOException {
    env.put("SESSION_KEYS", "k1:" + "A".repeat(43) + "=");
    props.put(
        "tether.session.config",
        file("store=cookie\nstore.keys-env=SESSION_KEYS\nstore.max-cookies=2\n"
                + "store.revocation-store=redis\nstore.revocation.uri=redis://cache:6379\n")
            .toString());
    env.put("TETHER_SESSION_STORE_REVOCATION_KEY_PREFIX", "shop:");

    DropinConfig c = load();

    assertThat(c.store()).isEqualTo("cookie");
    assertThat(c.storeSettings())
        .containsEntry("keys", "k1:" + "A".repeat(43) + "=")
        .containsEntry("cookie-name", "__Host-TSESSION")
        .containsEntry("max-cookies", "2")
        .containsEntry("revocation-store", "redis")
        .containsEntry("revocation.uri", "redis://cache:6379")
        .containsEntry("revocation.key-prefix", "shop:");
    assertThat(c.nearCacheOn()).isFalse();
    assertThat(TetherSessionInitializer.shown(c.storeSettings())).doesNotContain("AAAA");
  }

  @Test
  void theCookieStoreRefusesItsOwnCookieNameAndANearCache() throws IOException {
    props.put(
        "tether.session.config",
        file("store=cookie\nstore.keys=k1:x\nstore.cookie-name=S\n").toString());
    assertThatThrownBy(this::load)
        .isInstanceOf(DropinConfigException.class)
        .hasMessageContaining(
            ":3: key 'store.cookie-name' is 'S': the cookie store seals the session into the"
                + " session cookie, whose name is cookie.name; allowed: set cookie.name instead");

    props.put(
        "tether.session.config", file("store=cookie\nstore.keys=k1:x\nnear-cache=on\n").toString());
    assertThatThrownBy(this::load)
        .hasMessageContaining(
            ":3: key 'near-cache' is 'on': the cookie store keeps each session in the browser");

    props.put("tether.session.config", file("store=cookie\nstore.key=k1:x\n").toString());
    assertThatThrownBy(this::load)
        .hasMessageContaining(
            "unknown key 'store.key' for store 'cookie'; did you mean 'store.keys'?");
  }

  @Test
  void anUnknownEnvironmentVariableIsRefused() throws IOException {
    props.put("tether.session.config", file("store=memory\n").toString());
    env.put("TETHER_SESSION_COOKIE_NAM", "X");
    assertThatThrownBy(this::load)
        .hasMessageStartingWith(
            "tether-session: environment variable TETHER_SESSION_COOKIE_NAM names no key;"
                + " did you mean 'TETHER_SESSION_COOKIE_NAME'?");
  }

  @Test
  void aMissingStoreListsTheStores() throws IOException {
    props.put("tether.session.config", file("cookie.secure=false\n").toString());
    assertThatThrownBy(this::load)
        .hasMessageContaining(
            "key 'store' is missing; allowed: cookie, file, grid, jdbc, memory, redis");
  }

  @Test
  void badValuesSayWhatIsAllowed() throws IOException {
    for (String[] c :
        new String[][] {
          {"near-cache=maybe", "key 'near-cache' is 'maybe': allowed: on, off, true, false"},
          {"cookie.same-site=None", "key 'cookie.same-site' is 'None': allowed: Lax, Strict"},
          {"absolute-timeout=0s", "key 'absolute-timeout' is '0s': allowed: a duration such as"},
          {
            "cookie.name=bad name",
            "key 'cookie.name' is 'bad name': cookie name 'bad name' must be"
          },
          {
            "cookie.secure=false\ncookie.host-prefix=true",
            "the __Host- prefix needs cookie.secure=true"
          }
        }) {
      props.put("tether.session.config", file("store=memory\n" + c[0] + "\n").toString());
      assertThatThrownBy(this::load).as(c[0]).hasMessageContaining(c[1]);
    }
  }

  @Test
  void secretsComeFromTheEnvironment() throws IOException {
    props.put(
        "tether.session.config",
        file("store=jdbc\nstore.url=jdbc:postgresql://db/app\nstore.password-env=DB_PASSWORD\n")
            .toString());
    env.put("DB_PASSWORD", "s3cret");
    assertThat(load().storeSettings())
        .containsEntry("password", "s3cret")
        .doesNotContainKey("password-env");
    env.remove("DB_PASSWORD");
    assertThatThrownBy(this::load)
        .hasMessageContaining(
            ":3: key 'store.password-env' is 'DB_PASSWORD': it names the environment"
                + " variable 'DB_PASSWORD', which is not set");
  }

  @Test
  void aRedisPasswordGoesIntoTheUri() throws IOException {
    props.put(
        "tether.session.config",
        file("store=redis\nstore.uri=redis://cache:6379/2\nstore.password-env=REDIS_PW\n")
            .toString());
    env.put("REDIS_PW", "p@ss word");
    assertThat(load().storeSettings())
        .containsExactly(Map.entry("uri", "redis://:p%40ss%20word@cache:6379/2"));
    assertThat(TetherSessionInitializer.shown(load().storeSettings()))
        .isEqualTo("store.uri=redis://***@cache:6379/2");
  }

  @Test
  void theIdleTimeoutIsTheApplicationsSessionTimeoutUnlessSet() throws IOException {
    props.put("tether.session.config", file("store=memory\n").toString());
    DropinConfig c = load();
    assertThat(TetherSessionInitializer.policy(c, 20).idleTimeout())
        .isEqualTo(Duration.ofMinutes(20));
    assertThat(TetherSessionInitializer.policy(c, 20).absoluteTimeout())
        .isEqualTo(Duration.ofHours(8));
    assertThat(TetherSessionInitializer.policy(c, 0).idleTimeout()).isEqualTo(Duration.ofHours(8));
    assertThat(TetherSessionInitializer.policy(c, 600).absoluteTimeout())
        .isEqualTo(Duration.ofHours(10));
    DropinConfig set =
        new DropinConfig(
            c.source(),
            c.store(),
            c.storeSettings(),
            c.cookie(),
            Optional.of(Duration.ofSeconds(90)),
            Optional.of(Duration.ofMinutes(1)),
            c.nearCache());
    assertThatThrownBy(() -> TetherSessionInitializer.policy(set, 20))
        .hasMessageContaining(
            "key 'absolute-timeout' (PT1M) is shorter than the idle timeout (PT1M30S, from key 'idle-timeout')");
    DropinConfig shortIdle =
        new DropinConfig(
            c.source(),
            c.store(),
            c.storeSettings(),
            c.cookie(),
            Optional.of(Duration.ofSeconds(90)),
            Optional.empty(),
            c.nearCache());
    assertThat(TetherSessionInitializer.policy(shortIdle, 20).touchInterval())
        .isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void levenshtein() {
    assertThat(DropinValues.distance("cooke.name", "cookie.name")).isEqualTo(1);
    assertThat(DropinValues.distance("", "abc")).isEqualTo(3);
    assertThat(DropinValues.distance("store", "store")).isZero();
  }
}
