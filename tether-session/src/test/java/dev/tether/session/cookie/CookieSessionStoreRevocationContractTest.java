package dev.tether.session.cookie;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.SessionStore;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * The cookie store with a revocation list in a server-side store (here the memory store; in
 * production Redis or a database shared by the instances), against the shared contract.
 */
class CookieSessionStoreRevocationContractTest extends SessionStoreContract {

  private CookieSessionStore first;

  @Override
  protected SessionStore createStore(Clock clock) {
    if (first == null) {
      first =
          new CookieSessionStore(
              CookieSessionStoreContractTest.KEYS,
              CookieSessionStoreContractTest.settings().trackingEveryWrite(),
              new MemorySessionStore(clock),
              clock,
              new SecureRandom());
      return first;
    }
    return first.peer(clock);
  }
}
