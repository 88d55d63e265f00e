package dev.tether.session.jdbc;

import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Rough saves/s and loads/s of the JDBC store per database (a measurement, not a test): 3,000
 * sessions with three 200-byte attributes; each save reads the current version, then sets one
 * attribute and the last access; each load reads a whole session. One thread, then four, after an
 * untimed warm-up round of the same work (the JIT and the database's caches). H2 always; PostgreSQL
 * and MariaDB when their {@code TETHER_TEST_*} variables are set. Run after {@code test-compile}
 * with:
 *
 * <pre>
 * ./mvnw -q -pl tether-session-jdbc -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/jdbc-cp.txt -Dmdep.includeScope=test
 * java -cp tether-session-jdbc/target/test-classes:tether-session-jdbc/target/classes:$(cat /tmp/jdbc-cp.txt) \
 *     dev.tether.session.jdbc.JdbcStoreThroughput
 * </pre>
 */
public final class JdbcStoreThroughput {

  private static final int SESSIONS = 3_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private JdbcStoreThroughput() {}

  public static void main(String[] args) throws Exception {
    measure("H2 (in-memory)", TestDatabase.h2());
    for (String kind : List.of("PG", "MARIADB")) {
      if (System.getenv("TETHER_TEST_" + kind + "_URL") != null) {
        measure(kind, TestDatabase.fromEnvironment(kind));
      }
    }
  }

  private static void measure(String label, TestDatabase db) throws Exception {
    try (db;
        JdbcSessionStore store = new JdbcSessionStore(db.pool(), db.prefix(), Clock.systemUTC())) {
      round(label + " warm-up", store, false);
      round(label, store, true);
    }
  }

  private static void round(String label, JdbcSessionStore store, boolean print) throws Exception {
    {
      List<String> ids = new ArrayList<>();
      byte[] value = new byte[200];
      RANDOM.nextBytes(value);
      long t0 = System.nanoTime();
      for (int i = 0; i < SESSIONS; i++) {
        String id = newId();
        ids.add(id);
        store.create(
            SessionRecord.create(
                id,
                Clock.systemUTC().instant(),
                Duration.ofMinutes(30),
                Duration.ofHours(8),
                "user" + (i % 100),
                Map.of("a", value, "b", value, "c", value)));
      }
      long created = System.nanoTime() - t0;
      for (int threads : new int[] {1, 4}) {
        long saves = run(threads, ids, i -> save(store, ids.get(i)));
        long loads = run(threads, ids, i -> store.load(ids.get(i)));
        if (print) {
          if (threads == 1) {
            report(label, "creates", 1, SESSIONS, created);
          }
          report(label, "saves", threads, SESSIONS, saves);
          report(label, "loads", threads, SESSIONS, loads);
        }
      }
    }
  }

  private static void save(JdbcSessionStore store, String id) {
    long v = store.currentVersion(id).orElseThrow();
    byte[] value = new byte[200];
    RANDOM.nextBytes(value);
    store.save(
        SessionDelta.builder(id, v)
            .set("b", value)
            .lastAccessedAt(Clock.systemUTC().instant())
            .build());
  }

  private interface Op {
    void run(int index) throws Exception;
  }

  private static long run(int threads, List<String> ids, Op op) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long t0 = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = first; i < ids.size(); i += threads) {
                    op.run(i);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      return System.nanoTime() - t0;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void report(String label, String what, int threads, int ops, long nanos) {
    System.out.printf(
        Locale.ROOT,
        "%-16s %-7s %d thread(s): %,8.0f ops/s (%d ops in %d ms)%n",
        label,
        what,
        threads,
        ops * 1e9 / nanos,
        ops,
        nanos / 1_000_000);
  }

  private static String newId() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
