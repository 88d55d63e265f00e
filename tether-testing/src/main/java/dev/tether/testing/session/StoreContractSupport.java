package dev.tether.testing.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SaveResult.Outcome;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreCapability;
import dev.tether.testing.time.SettableClock;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Fixtures of the store contract: the clock, store instances and helpers. Extend {@link
 * SessionStoreContract}, not this class.
 */
public abstract class StoreContractSupport {

  /** Idle timeout of the sessions the suite creates. */
  protected static final Duration IDLE = Duration.ofMinutes(30);

  /** Absolute timeout of the sessions the suite creates. */
  protected static final Duration ABSOLUTE = Duration.ofHours(8);

  /** Random source for ids and test payloads. */
  protected static final SecureRandom RANDOM = new SecureRandom();

  /** The clock every store of this test is built with. */
  protected final SettableClock clock =
      new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));

  private final List<SessionStore> opened = new ArrayList<>();

  /** The store under test, built before each test. */
  protected SessionStore store;

  /**
   * Builds a new store instance over this test's backend, judging time by {@code clock}.
   *
   * @param clock the suite's settable clock
   */
  protected abstract SessionStore createStore(Clock clock);

  /** Builds and remembers a store, closed after the test. */
  protected final SessionStore openStore() {
    SessionStore s = createStore(clock);
    opened.add(s);
    return s;
  }

  /**
   * Runs before each test, before the first {@link #createStore} call: give the test a clean
   * backend (flush a database, pick a key prefix). JUnit runs this class's {@code @BeforeEach}
   * before a subclass's, so per-test set-up belongs here rather than in a subclass
   * {@code @BeforeEach}. Does nothing by default.
   */
  protected void prepareBackend() throws Exception {}

  /** Runs after each test, after all stores were closed. Does nothing by default. */
  protected void cleanBackend() throws Exception {}

  @BeforeEach
  void openMainStore() throws Exception {
    prepareBackend();
    store = openStore();
  }

  @AfterEach
  void closeStores() throws Exception {
    for (SessionStore s : opened) {
      s.close();
    }
    opened.clear();
    cleanBackend();
  }


  // ---------------------------------------------------------------- helpers

  /** Whether the store under test declares {@code c}. */
  protected final boolean supports(StoreCapability c) {
    return store.capabilities().contains(c);
  }

  /**
   * For a capability the store declares missing: {@code operation} must throw {@link
   * UnsupportedOperationException} with a message saying why (never a silently wrong answer).
   */
  protected static void assertUnsupported(StoreCapability c, ThrowingCallable operation) {
    assertThatThrownBy(operation)
        .as("the store declares no %s, so the operation must refuse, saying why", c)
        .isInstanceOf(UnsupportedOperationException.class)
        .satisfies(e -> assertThat(e.getMessage()).as("the reason").hasSizeGreaterThan(20));
  }

  /**
   * {@code findByPrincipal(principal)} is exactly {@code ids} when the store has a principal
   * index; otherwise it refuses as {@link #assertUnsupported} says.
   */
  protected final void assertPrincipalIndex(SessionStore s, String principal, String... ids) {
    if (s.capabilities().contains(StoreCapability.PRINCIPAL_INDEX)) {
      assertThat(s.findByPrincipal(principal)).containsExactlyInAnyOrder(ids);
    } else {
      assertUnsupported(StoreCapability.PRINCIPAL_INDEX, () -> s.findByPrincipal(principal));
    }
  }

  /** A fresh 256-bit URL-safe id. */
  protected static String newId() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A fresh principal name, so tests never see each other's index entries. */
  protected static String newPrincipal() {
    return "user-" + newId().substring(0, 12);
  }

  /** UTF-8 bytes of {@code s}. */
  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Creates an anonymous session with {@code attrs} in {@link #store}; returns its id. */
  protected String create(Map<String, byte[]> attrs) {
    String id = newId();
    SaveResult r =
        store.create(SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, null, attrs));
    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
    return id;
  }

  protected String createFor(String principal) {
    String id = newId();
    SaveResult r =
        store.create(SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, principal, Map.of()));
    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
    return id;
  }

  protected static List<String> sweepAllOwn(SessionStore s, Set<String> own) {
    return sweepAllOwn(s, own, 100);
  }

  protected static List<String> sweepAllOwn(SessionStore s, Set<String> own, int limit) {
    List<String> mine = new ArrayList<>();
    for (List<SessionRecord> batch = s.sweepExpired(limit);
        !batch.isEmpty();
        batch = s.sweepExpired(limit)) {
      assertThat(batch).hasSizeLessThanOrEqualTo(limit);
      batch.stream().map(SessionRecord::id).filter(own::contains).forEach(mine::add);
    }
    return mine;
  }

  protected static <T> List<T> runConcurrently(List<Callable<T>> tasks, CountDownLatch start)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> t : tasks) {
        futures.add(pool.submit(t));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
