package dev.tether.session.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreCapability;
import dev.tether.testing.time.SettableClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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
 * The state of a contract test: the clock, the store instances and their life cycle, and the static
 * helpers. Extend {@link SessionStoreContract} (every part of the contract), or this class
 * implementing the parts a store passes.
 *
 * <p>This class implements the methods of {@link StoreContract} without declaring it, so that
 * JUnit, which runs the after-each methods of a test's interfaces before those of its superclasses,
 * checks the principal index before this class closes the stores.
 */
public abstract class StoreContractSupport {

  /** The clock every store of this test is built with. */
  protected final SettableClock clock =
      new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));

  private final List<SessionStore> opened = new ArrayList<>();
  private final StoreObservations observations = new StoreObservations();

  /**
   * The store under test as {@link #createStore} built it, built before each test. The suite's own
   * calls go through {@link #store()}, which watches them for the after-test check.
   */
  protected SessionStore store;

  private SessionStore watched;

  /**
   * Builds a new store instance over this test's backend, judging time by {@code clock}.
   *
   * @param clock the suite's settable clock
   */
  protected abstract SessionStore createStore(Clock clock);

  /** The store under test, watched: see {@link StoreContract#store()}. */
  public final SessionStore store() {
    if (watched == null) {
      throw new IllegalStateException("the stores are closed (or not yet open)");
    }
    return watched;
  }

  /** See {@link StoreContract#clock()}. */
  public final SettableClock clock() {
    return clock;
  }

  /**
   * Builds and remembers a store, closed after the test; the suite watches the calls made to it.
   */
  public final SessionStore openStore() {
    SessionStore s = createStore(clock);
    opened.add(s);
    return observations.watch(s);
  }

  /**
   * Says that this test damages session {@code id} in the backend on purpose (a corrupt file, a
   * torn row), so the after-test check of the principal index leaves it out.
   */
  protected final void damagesOnPurpose(String id) {
    observations.tamper(id);
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
    store = createStore(clock);
    opened.add(store);
    watched = observations.watch(store);
  }

  /** Runs after the contract's own after-test check (JUnit runs a superclass's last). */
  @AfterEach
  void closeStores() throws Exception {
    watched = null;
    for (SessionStore s : opened) {
      s.close();
    }
    opened.clear();
    cleanBackend();
  }

  // ---------------------------------------------------------------- static helpers

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

  /** A fresh 256-bit URL-safe id. */
  protected static String newId() {
    byte[] b = new byte[32];
    StoreContract.RANDOM.nextBytes(b);
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
