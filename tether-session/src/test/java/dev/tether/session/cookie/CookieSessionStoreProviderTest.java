package dev.tether.session.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.spi.ClientSideStore;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code cookie} by name, with its settings checked. */
class CookieSessionStoreProviderTest {

  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Test
  void buildsByNameWithARevocationStore() {
    SessionStore s =
        SessionStoreRegistry.create(
            "cookie",
            Map.of(
                "keys",
                "k1:" + KEY,
                "cookie-name",
                "TSESSION",
                "max-cookies",
                "2",
                "revocation-store",
                "memory"),
            Clock.systemUTC());
    assertThat(s).isInstanceOf(ClientSideStore.class);
    assertThat(((ClientSideStore) s).cookieName()).isEqualTo("TSESSION");
    assertThat(((CookieSessionStore) s).limit()).isLessThan(2 * 4096);
  }

  @Test
  void badSettingsNameTheSettingAndWhatIsAllowed() {
    Clock c = Clock.systemUTC();
    assertThatThrownBy(() -> SessionStoreRegistry.create("cookie", Map.of(), c))
        .hasMessageContaining("'keys' is required");
    assertThatThrownBy(() -> SessionStoreRegistry.create("cookie", Map.of("keys", "k1:AAAA"), c))
        .hasMessageContaining("AES-256 needs 32");
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create(
                    "cookie", Map.of("keys", "k1:" + KEY + ",k2:" + KEY), c))
        .hasMessageContaining("'key-id' is required");
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create(
                    "cookie", Map.of("keys", "k1:" + KEY, "max-cookies", "x"), c))
        .hasMessageContaining("'max-cookies'");
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create("cookie", Map.of("keys", "k1:" + KEY, "size", "1"), c))
        .hasMessageContaining("unknown setting(s) [size]");
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create(
                    "cookie", Map.of("keys", "k1:" + KEY, "revocation.uri", "x"), c))
        .hasMessageContaining("need revocation-store");
  }
}
