package dev.tether.session.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole JDBC contract on PostgreSQL with its streaming replica configured (TETHER_TEST_PG_* and
 * TETHER_TEST_PG_REPLICA_URL): principal listings and sweep scans read the replica, the rest the
 * primary. Each write waits until the replica has replayed it (see {@link CaughtUpStore}).
 */
class PostgresReplicaJdbcSessionStoreTest extends JdbcSessionStoreContractTest {

  private static TestDatabase db;
  private static PgReplica replica;

  @BeforeAll
  static void openDatabase() {
    db = TestDatabase.fromEnvironment("PG");
    replica = PgReplica.fromEnvironment();
  }

  @AfterAll
  static void dropTables() throws Exception {
    if (replica != null) {
      replica.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Override
  protected TestDatabase database() {
    return db;
  }

  @Override
  protected SessionStore createStore(Clock clock) {
    return new CaughtUpStore(
        new JdbcSessionStore(db.pool(), List.of(replica.pool()), db.prefix(), clock),
        replica,
        db.pool());
  }

  @Test
  void principalListingsAndSweepScansAreServedByTheReplica() {
    JdbcSessionStore s = ((CaughtUpStore) store).store();
    String principal = newPrincipal();
    String id = newId();
    store.create(SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, principal, Map.of()));
    long before = s.replicaReads().servedByReplica()[0];

    assertThat(store.findByPrincipal(principal)).containsExactly(id);
    clock.advance(ABSOLUTE.plus(IDLE));
    assertThat(store.sweepExpired(1000)).extracting(SessionRecord::id).contains(id);

    assertThat(s.replicaReads().servedByReplica()[0]).isEqualTo(before + 2);
    assertThat(s.replicaReads().servedByPrimary()).isZero();
  }
}
