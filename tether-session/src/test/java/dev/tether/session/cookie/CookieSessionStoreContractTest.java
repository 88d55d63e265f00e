package dev.tether.session.cookie;

import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.spi.SessionStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

/**
 * The cookie store without server state against the shared contract, with its declared capabilities
 * (none: no principal index, no sweep). Peers share the values the client carries. The limits are
 * raised to 32 cookies, since the contract round-trips a 70 KB random attribute.
 */
class CookieSessionStoreContractTest extends SessionStoreContract {

  static final EncryptionKeys KEYS =
      EncryptionKeys.ofRaw("k1", Map.of("k1", new SecureRandom().generateSeed(32)));

  private CookieSessionStore first;

  @Override
  protected SessionStore createStore(Clock clock) {
    if (first == null) {
      first = new CookieSessionStore(KEYS, settings(), null, clock, new SecureRandom());
      return first;
    }
    return first.peer(clock);
  }

  static CookieStoreSettings settings() {
    return CookieStoreSettings.defaults().withLimits(4096, 32);
  }
}
