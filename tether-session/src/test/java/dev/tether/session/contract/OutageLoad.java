package dev.tether.session.contract;

import static java.util.Objects.requireNonNull;

import dev.tether.session.SessionIdGenerator;
import dev.tether.session.circuit.StoreUnavailableException;
import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.locks.LockSupport;

/**
 * A load of sessions on a store while a test breaks and restores its backend, keeping the books
 * needed to judge afterwards that nothing acknowledged was lost or torn.
 *
 * <p>Each of {@code threads} threads owns {@code sessionsPerThread} sessions (so no two threads
 * write one session and there are no conflicts to reason about) and, in a loop, creates the next
 * one or saves a delta to one of its sessions that sets all of {@link #ATTRIBUTES} to the same new
 * generation value {@code g<n>}. A save that returned {@code SAVED} is <em>acknowledged</em>: from
 * then on the store must return that generation or a later attempted one (a call that failed on the
 * client side, a timeout say, may still have been applied). Because a delta is atomic, a session
 * whose attributes carry two different generations is torn. {@link #verify} checks both.
 *
 * <p>Every call's duration is recorded, so a test can show that no call hung past a bound, and
 * failures are counted by kind ({@link StoreUnavailableException} or other).
 *
 * <pre>{@code
 * OutageLoad load = OutageLoad.start(store, 4, 20, Clock.systemUTC());
 * // ... kill the server, wait, restart it ...
 * OutageLoad.Report report = load.stop();
 * assertThat(load.verify(store)).isEmpty();
 * }</pre>
 */
public final class OutageLoad implements AutoCloseable {

  /** The attributes each save sets together. */
  public static final List<String> ATTRIBUTES = List.of("cart", "profile", "step");

  private static final Duration IDLE = Duration.ofHours(1);
  private static final Duration ABSOLUTE = Duration.ofHours(8);

  /** What one session has been through, by its owning thread. */
  private static final class Book {
    final String id;
    volatile boolean created; // acknowledged
    volatile long ackedGeneration = -1;
    volatile long lastAttempted = -1;
    long version;
    boolean uncertain;

    Book(String id) {
      this.id = id;
    }
  }

  /**
   * Counts at {@link #stop}.
   *
   * @param calls store calls made
   * @param acknowledged creates and saves that returned {@code SAVED}
   * @param unavailable calls that failed with {@link StoreUnavailableException}
   * @param otherFailures calls that failed with anything else
   * @param maxCallMillis the longest call
   * @param otherFailureSample one of the other failures, or {@code null}
   */
  public record Report(
      long calls,
      long acknowledged,
      long unavailable,
      long otherFailures,
      long maxCallMillis,
      Throwable otherFailureSample) {}

  private final SessionStore store;
  private final Clock clock;
  private final SessionIdGenerator ids = new SessionIdGenerator();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, Book> books = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong other = new AtomicLong();
  private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);
  private final LongAccumulator windowMaxNanos = new LongAccumulator(Math::max, 0);
  private volatile Throwable otherSample;

  private OutageLoad(SessionStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Starts the load.
   *
   * @param threads how many writer threads, 1..64
   * @param sessionsPerThread sessions each thread creates and then keeps saving, 1..10,000
   */
  public static OutageLoad start(
      SessionStore store, int threads, int sessionsPerThread, Clock clock) {
    requireNonNull(store, "store");
    requireNonNull(clock, "clock");
    if (threads < 1 || threads > 64 || sessionsPerThread < 1 || sessionsPerThread > 10_000) {
      throw new IllegalArgumentException(
          "threads "
              + threads
              + " must be 1..64 and sessions per thread "
              + sessionsPerThread
              + " 1..10000");
    }
    OutageLoad load = new OutageLoad(store, clock);
    for (int t = 0; t < threads; t++) {
      int n = t;
      Thread th =
          Thread.ofPlatform()
              .name("outage-load-" + n)
              .daemon()
              .start(() -> load.run(sessionsPerThread));
      load.threads.add(th);
    }
    return load;
  }

  /** Acknowledged creates and saves so far. */
  public long acknowledged() {
    return acknowledged.get();
  }

  /** Calls that failed with {@link StoreUnavailableException} so far. */
  public long unavailable() {
    return unavailable.get();
  }

  /** Calls that failed with anything else so far. */
  public long otherFailures() {
    return other.get();
  }

  /**
   * The longest call since the previous call of this method (or the start), in milliseconds, and
   * starts a new window: what a test checks for "no call hung during this phase".
   */
  public long takeWindowMaxCallMillis() {
    return TimeUnit.NANOSECONDS.toMillis(windowMaxNanos.getThenReset());
  }

  /** Stops the threads (each finishes its current call) and returns the counts. */
  public Report stop() {
    running.set(false);
    for (Thread t : threads) {
      try {
        if (!t.join(Duration.ofSeconds(60))) {
          throw new IllegalStateException(
              t.getName() + " did not stop within 60 s: a store call hangs");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while stopping the load", e);
      }
    }
    return new Report(
        calls.get(),
        acknowledged.get(),
        unavailable.get(),
        other.get(),
        TimeUnit.NANOSECONDS.toMillis(maxNanos.get()),
        otherSample);
  }

  @Override
  public void close() {
    if (running.get()) {
      stop();
    }
  }

  /**
   * Reads every session this load had acknowledged through {@code reader} (after {@link #stop}) and
   * returns what is wrong, one line per session (no raw ids: their position in the books); empty
   * when every acknowledged create is readable, every acknowledged save is there (its generation or
   * a later attempted one) and no session mixes generations.
   */
  public List<String> verify(SessionStore reader) {
    if (running.get()) {
      throw new IllegalStateException("stop the load before verifying it");
    }
    List<String> problems = new ArrayList<>();
    int n = 0;
    for (Book b : new TreeMap<>(books).values()) {
      n++;
      if (!b.created) {
        continue;
      }
      Optional<SessionRecord> r = reader.load(b.id);
      if (r.isEmpty()) {
        problems.add("session #" + n + ": acknowledged as created, not found");
        continue;
      }
      TreeSet<Long> generations = new TreeSet<>();
      for (String a : ATTRIBUTES) {
        AttributeValue v = r.get().attributes().get(a);
        if (v == null) {
          problems.add("session #" + n + ": attribute '" + a + "' missing");
          continue;
        }
        generations.add(parse(v.bytes()));
      }
      if (generations.size() > 1) {
        problems.add("session #" + n + ": torn, attributes hold generations " + generations);
      } else if (generations.size() == 1) {
        long g = generations.first();
        if (g < b.ackedGeneration || g > b.lastAttempted) {
          problems.add(
              "session #"
                  + n
                  + ": holds generation "
                  + g
                  + ", acknowledged "
                  + b.ackedGeneration
                  + ", last attempted "
                  + b.lastAttempted);
        }
      }
    }
    return problems;
  }

  /** How many sessions were acknowledged as created. */
  public long sessionsCreated() {
    return books.values().stream().filter(b -> b.created).count();
  }

  private void run(int sessions) {
    List<Book> mine = new ArrayList<>();
    long generation = 0;
    int next = 0;
    while (running.get()) {
      Book b;
      if (mine.size() < sessions) {
        b = new Book(ids.next());
        mine.add(b);
        books.put(b.id, b);
      } else {
        b = mine.get(next++ % mine.size());
      }
      generation++;
      boolean ok = step(b, generation);
      pause(ok ? 1 : 10);
    }
  }

  /** One call on {@code b}; whether it was answered. */
  private boolean step(Book b, long g) {
    long start = System.nanoTime();
    try {
      if (!b.created) {
        // a create that failed may have been applied: try again under a new id would leak it, so
        // retry the same id and accept ID_TAKEN when the earlier attempt landed
        b.lastAttempted = Math.max(b.lastAttempted, g);
        SaveResult r =
            store.create(
                SessionRecord.create(b.id, clock.instant(), IDLE, ABSOLUTE, null, values(g)));
        if (r.isSaved()) {
          b.created = true;
          b.ackedGeneration = g;
          b.version = r.version();
          acknowledged.incrementAndGet();
        } else if (b.uncertain) {
          resync(b);
        }
        return true;
      }
      if (b.uncertain) {
        resync(b);
      }
      SessionDelta.Builder d = SessionDelta.builder(b.id, b.version);
      values(g).forEach(d::set);
      b.lastAttempted = g;
      SaveResult r = store.save(d.build());
      if (r.isSaved()) {
        b.version = r.version();
        b.ackedGeneration = g;
        acknowledged.incrementAndGet();
      } else {
        other.incrementAndGet();
        otherSample =
            new IllegalStateException("save answered " + r.outcome() + " for a live session");
      }
      return true;
    } catch (StoreUnavailableException e) {
      unavailable.incrementAndGet();
      b.uncertain = true;
      return false;
    } catch (RuntimeException e) {
      other.incrementAndGet();
      otherSample = e;
      b.uncertain = true;
      return false;
    } finally {
      calls.incrementAndGet();
      long took = System.nanoTime() - start;
      maxNanos.accumulate(took);
      windowMaxNanos.accumulate(took);
    }
  }

  /** After a call of unknown outcome: learn the stored version (and whether a create landed). */
  private void resync(Book b) {
    Optional<SessionRecord> r = store.load(b.id);
    if (r.isPresent()) {
      if (!b.created) {
        b.created = true; // the earlier create landed; its generation is the one attempted then
        b.ackedGeneration = -1;
      }
      b.version = r.get().version();
    }
    b.uncertain = false;
  }

  private static Map<String, byte[]> values(long g) {
    Map<String, byte[]> m = new TreeMap<>();
    byte[] v = ("g" + g).getBytes(StandardCharsets.UTF_8);
    for (String a : ATTRIBUTES) {
      m.put(a, v);
    }
    return m;
  }

  private static long parse(byte[] v) {
    String s = new String(v, StandardCharsets.UTF_8);
    return s.startsWith("g") ? Long.parseLong(s.substring(1)) : -2;
  }

  /** Paces the load between calls (it waits for no condition, so there is nothing to await). */
  private static void pause(long millis) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
