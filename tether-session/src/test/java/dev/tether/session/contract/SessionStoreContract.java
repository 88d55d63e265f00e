package dev.tether.session.contract;

import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreCapability;

/**
 * The behaviour every {@link SessionStore} must show, spring-session style: a store's test extends
 * this class and only says how to build the store.
 *
 * <pre>{@code
 * class RedisSessionStoreTest extends SessionStoreContract {
 *   protected SessionStore createStore(Clock clock) {
 *     return new RedisSessionStore(redisUri, "test:" + testNamespace, clock);
 *   }
 * }
 * }</pre>
 *
 * <p>The contract comes in parts, test interfaces by concern: {@link CoreContract}, {@link
 * ExpiryContract}, {@link RotationContract}, {@link PrincipalIndexContract} and {@link
 * ConcurrencyContract}. After every test {@link StoreContract#principalIndexAgreesWithTheSessions}
 * checks that the principal index and the sessions the test touched agree.
 *
 * <p>Rules for {@link #createStore}: every call within one test returns a new store instance over
 * the <em>same</em> backend (two calls model two app instances sharing Redis, a database or a
 * directory); the store must judge time only by the given clock. Tests use fresh random ids and
 * principal names and only assert about their own sessions, so a backend shared across tests works,
 * though a clean one per test (or per-test key prefix) is preferable. Stores are closed after each
 * test.
 *
 * <p>Optional parts: for each {@link StoreCapability} a store declares missing, the tests of it
 * assert that the operation throws {@link UnsupportedOperationException} with a reason, and the
 * rest of the test still runs where it does not depend on that part.
 *
 * <p>The clock starts at the real current time (so backend TTLs set relative to it stay sane) and
 * only moves when a test advances it.
 */
public abstract class SessionStoreContract extends StoreContractSupport
    implements CoreContract,
        ExpiryContract,
        RotationContract,
        PrincipalIndexContract,
        ConcurrencyContract {}
