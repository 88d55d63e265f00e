package dev.tether.session.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SaveResult.Outcome;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The shared contract plus what is particular to SQL: concurrent sweepers on two store instances,
 * tombstone rows, schema versioning and column limits. Subclasses say which database.
 */
abstract class JdbcSessionStoreContractTest extends SessionStoreContract {

  /** The database of the running test class. */
  protected abstract TestDatabase database();

  @Override
  protected SessionStore createStore(Clock clock) {
    return new JdbcSessionStore(database().pool(), database().prefix(), clock);
  }

  @Test
  void twoInstancesSweepingConcurrentlyClaimDisjointSetsWhileWritersRun() throws Exception {
    SessionStore a = openStore();
    SessionStore b = openStore();
    Set<String> expired = new HashSet<>();
    Map<String, String> principals = new ConcurrentHashMap<>();
    for (int i = 0; i < 150; i++) {
      String principal = newPrincipal();
      String id = newId();
      store.create(
          SessionRecord.create(
              id, clock.instant(), IDLE, ABSOLUTE, principal, Map.of("n", bytes(id))));
      expired.add(id);
      principals.put(id, principal);
    }
    clock.advance(Duration.ofMinutes(20));
    List<String> live = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      live.add(create(Map.of()));
    }
    clock.advance(Duration.ofMinutes(11));

    ExecutorService pool = Executors.newFixedThreadPool(6);
    AtomicBoolean sweeping = new AtomicBoolean(true);
    AtomicInteger writes = new AtomicInteger();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<SessionRecord>>> sweepers = new ArrayList<>();
      for (SessionStore s : List.of(a, b, a, b)) {
        sweepers.add(pool.submit(() -> sweepUntilEmpty(s, start)));
      }
      List<Future<?>> writers = new ArrayList<>();
      for (SessionStore s : List.of(a, b)) {
        writers.add(
            pool.submit(
                () -> {
                  start.await();
                  while (sweeping.get()) {
                    String id = live.get(ThreadLocalRandom.current().nextInt(live.size()));
                    long v = s.currentVersion(id).orElseThrow();
                    SaveResult r =
                        s.save(SessionDelta.builder(id, v).set("w", bytes("" + v)).build());
                    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
                    writes.incrementAndGet();
                  }
                  return null;
                }));
      }
      start.countDown();
      List<SessionRecord> claimed = new ArrayList<>();
      for (Future<List<SessionRecord>> f : sweepers) {
        claimed.addAll(f.get(60, TimeUnit.SECONDS));
      }
      sweeping.set(false);
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }

      // SKIP LOCKED lets a sweeper pass over a row another transaction holds at that instant; such
      // a
      // row belongs to the next sweep, as it would in production. One more sweep after the race
      // must find exactly the leftovers, and the union must still claim each session once.
      for (List<SessionRecord> rest = a.sweepExpired(1000);
          !rest.isEmpty();
          rest = a.sweepExpired(1000)) {
        claimed.addAll(rest);
      }
      List<SessionRecord> mine = claimed.stream().filter(r -> expired.contains(r.id())).toList();
      assertThat(mine).as("each expired session claimed exactly once").hasSize(expired.size());
      assertThat(mine.stream().map(SessionRecord::id).toList())
          .containsExactlyInAnyOrderElementsOf(expired);
      assertThat(mine)
          .allSatisfy(r -> assertThat(r.attributeBytes("n")).isEqualTo(bytes(r.id())))
          .allSatisfy(r -> assertThat(r.principal()).isEqualTo(principals.get(r.id())));
      for (String id : expired) {
        assertThat(store.findByPrincipal(principals.get(id))).isEmpty();
      }
      for (String id : live) {
        assertThat(store.load(id)).isPresent();
      }
      assertThat(writes.get()).as("writers ran during the sweep").isPositive();
      assertThat(orphanAttributes()).isZero();
    } finally {
      sweeping.set(false);
      pool.shutdownNow();
    }
  }

  @Test
  void theProviderBuildsAStoreOnItsOwnPoolOverTheSameTables() {
    HikariDataSource shared = database().pool();
    Map<String, String> settings = new HashMap<>();
    settings.put("url", shared.getJdbcUrl());
    settings.put("table-prefix", database().prefix());
    settings.put("pool-size", "2");
    if (shared.getUsername() != null) {
      settings.put("user", shared.getUsername());
    }
    if (shared.getPassword() != null) {
      settings.put("password", shared.getPassword());
    }
    String id = create(Map.of("a", bytes("1")));
    String newId = newId();

    try (SessionStore viaProvider = SessionStoreRegistry.create("jdbc", settings, clock)) {
      assertThat(viaProvider.load(id)).isEqualTo(store.load(id));
      assertThat(viaProvider.rotateId(id, newId).isSaved()).isTrue();
    }

    assertThat(store.load(newId).orElseThrow().attributeBytes("a")).isEqualTo(bytes("1"));
    assertThat(store.load(id)).isEmpty();
  }

  @Test
  void tombstoneBlocksItsIdUntilItRunsOutAndTheSweepDropsIt() throws Exception {
    String id = create(Map.of("a", bytes("1")));
    assertThat(store.delete(id)).isTrue();
    assertThat(rowsWithId(id)).as("the tombstone row").isEqualTo(1);

    clock.advance(IDLE);
    List<SessionRecord> swept = new ArrayList<>();
    for (List<SessionRecord> b = store.sweepExpired(50); !b.isEmpty(); b = store.sweepExpired(50)) {
      swept.addAll(b);
    }

    assertThat(swept).noneMatch(r -> r.id().equals(id));
    assertThat(rowsWithId(id)).isZero();
    SessionRecord again = SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, null, Map.of());
    assertThat(store.create(again).outcome()).isEqualTo(Outcome.SAVED);
    assertThat(store.load(id)).contains(again);
  }

  @Test
  void rotationKeepsTheInternalKeySoAttributesNeverMove() throws Exception {
    String oldId = create(Map.of("k", bytes("v")));
    long pk = internalKey(oldId);
    String newId = newId();

    assertThat(store.rotateId(oldId, newId).outcome()).isEqualTo(Outcome.SAVED);

    assertThat(internalKey(newId)).isEqualTo(pk);
    assertThat(rowsWithId(oldId)).as("tombstone of the old id").isEqualTo(1);
  }

  @Test
  void startingAgainOverExistingTablesKeepsDataAndSchemaVersion() throws Exception {
    String id = create(Map.of("a", bytes("1")));

    SessionStore again = openStore();

    assertThat(again.load(id)).isPresent();
    try (Connection c = database().pool().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version FROM " + new TableNames(database().prefix()).schemaVersion())) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(SchemaMigrator.CURRENT);
      assertThat(rs.next()).as("one version row").isFalse();
    }
  }

  @Test
  void instancesStartingTogetherOnFreshTablesAllSucceedAndMigrateOnce() throws Exception {
    String prefix = database().prefix() + "c";
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<JdbcSessionStore>> starts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        starts.add(
            pool.submit(
                () -> {
                  start.await();
                  return new JdbcSessionStore(database().pool(), prefix, clock);
                }));
      }
      start.countDown();
      List<JdbcSessionStore> started = new ArrayList<>();
      for (Future<JdbcSessionStore> f : starts) {
        started.add(f.get(60, TimeUnit.SECONDS));
      }
      String id = newId();
      SessionRecord r = SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, null, Map.of());
      assertThat(started.get(0).create(r).isSaved()).isTrue();
      assertThat(started.get(3).load(id)).contains(r);
      assertThat(count("SELECT COUNT(*) FROM " + prefix + "session_schema", null)).isEqualTo(1);
    } finally {
      pool.shutdownNow();
      database().drop(prefix);
    }
  }

  @Test
  void aNewerSchemaIsRefusedWithAClearMessage() throws Exception {
    String prefix = database().prefix() + "v";
    try {
      new JdbcSessionStore(database().pool(), prefix, clock).close();
      try (Connection c = database().pool().getConnection();
          Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO " + prefix + "session_schema (version) VALUES (2)");
      }
      assertThatThrownBy(() -> new JdbcSessionStore(database().pool(), prefix, clock))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("schema version 2")
          .hasMessageContaining("upgrade");
    } finally {
      database().drop(prefix);
    }
  }

  @Test
  void overlongAttributeNamesAreRefusedWithTheLimit() {
    String id = create(Map.of());
    String name = "n".repeat(JdbcSessionStore.MAX_NAME_LENGTH + 1);

    assertThatThrownBy(() -> store.save(SessionDelta.builder(id, 1).set(name, bytes("x")).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 255");
    String longest = "n".repeat(JdbcSessionStore.MAX_NAME_LENGTH);
    assertThat(store.save(SessionDelta.builder(id, 1).set(longest, bytes("x")).build()).isSaved())
        .isTrue();
    assertThat(store.load(id).orElseThrow().attributeBytes(longest)).isEqualTo(bytes("x"));
  }

  @Test
  void idsAndAttributeNamesDifferingOnlyInCaseAreDistinct() {
    String id = newId();
    String upper = id.toUpperCase(java.util.Locale.ROOT);
    String lower = id.toLowerCase(java.util.Locale.ROOT);
    store.create(SessionRecord.create(upper, clock.instant(), IDLE, ABSOLUTE, null, Map.of()));

    assertThat(store.load(lower)).isEmpty();
    assertThat(
            store
                .create(
                    SessionRecord.create(
                        lower,
                        clock.instant(),
                        IDLE,
                        ABSOLUTE,
                        null,
                        Map.of("a", bytes("1"), "A", bytes("2"))))
                .outcome())
        .isEqualTo(Outcome.SAVED);
    assertThat(store.load(lower).orElseThrow().attributes()).containsOnlyKeys("a", "A");
  }

  private static List<SessionRecord> sweepUntilEmpty(SessionStore s, CountDownLatch start)
      throws InterruptedException {
    start.await();
    List<SessionRecord> all = new ArrayList<>();
    for (List<SessionRecord> b = s.sweepExpired(7); !b.isEmpty(); b = s.sweepExpired(7)) {
      assertThat(b).hasSizeLessThanOrEqualTo(7);
      all.addAll(b);
    }
    return all;
  }

  private long orphanAttributes() throws SQLException {
    TableNames t = new TableNames(database().prefix());
    return count(
        "SELECT COUNT(*) FROM "
            + t.attributes()
            + " a WHERE NOT EXISTS (SELECT 1 FROM "
            + t.sessions()
            + " s WHERE s.pk = a.session_pk AND s.live = TRUE)",
        null);
  }

  private long rowsWithId(String id) throws SQLException {
    return count(
        "SELECT COUNT(*) FROM "
            + new TableNames(database().prefix()).sessions()
            + " WHERE session_id = ?",
        id);
  }

  private long internalKey(String id) throws SQLException {
    return count(
        "SELECT pk FROM "
            + new TableNames(database().prefix()).sessions()
            + " WHERE session_id = ? AND live = TRUE",
        id);
  }

  private long count(String sql, String param) throws SQLException {
    try (Connection c = database().pool().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    }
  }
}
