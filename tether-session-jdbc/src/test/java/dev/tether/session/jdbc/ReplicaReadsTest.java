package dev.tether.session.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Routing of lag-tolerant reads, over in-memory H2 databases and a fake ticker; no sockets. */
class ReplicaReadsTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private static JdbcDataSource h2(String name) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + name + TestDatabase.randomSuffix());
    ds.setUser("sa");
    return ds;
  }

  /** A data source whose connections cannot be opened, with the given SQL state. */
  private static DataSource unreachable(List<String> attempts, SQLException failure) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                attempts.add("attempt");
                throw failure;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  private ReplicaReads reads(DataSource primary, List<DataSource> replicas) throws SQLException {
    SqlDialect dialect;
    try (Connection c = primary.getConnection()) {
      dialect = SqlDialect.detect(c.getMetaData());
    }
    return new ReplicaReads(
        replicas, new TransactionRunner(primary, dialect, false, 5), nanos::get);
  }

  /** The database a connection is to (an in-memory H2 database that holds no data). */
  private static String url(Connection c) throws SQLException {
    return c.getMetaData().getURL();
  }

  @Test
  void readsGoRoundRobinOverTheReplicasAndNeverToThePrimaryWhileTheyAnswer() throws Exception {
    JdbcDataSource primary = h2("p");
    JdbcDataSource r1 = h2("r1");
    JdbcDataSource r2 = h2("r2");
    ReplicaReads reads = reads(primary, List.of(r1, r2));
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      served.add(reads.read("t", ReplicaReadsTest::url));
    }
    assertThat(served)
        .containsExactly(
            r1.getURL(), r2.getURL(), r1.getURL(), r2.getURL(), r1.getURL(), r2.getURL());
    assertThat(reads.servedByReplica()).containsExactly(3, 3);
    assertThat(reads.servedByPrimary()).isZero();
  }

  @Test
  void withoutReplicasEveryReadIsThePrimarys() throws Exception {
    JdbcDataSource primary = h2("p");
    ReplicaReads reads = reads(primary, List.of());
    assertThat(reads.read("t", ReplicaReadsTest::url)).isEqualTo(primary.getURL());
    assertThat(reads.servedByPrimary()).isEqualTo(1);
  }

  @Test
  void anUnreachableReplicaIsMarkedDownSkippedDuringItsBackOffAndRetriedAfter() throws Exception {
    JdbcDataSource primary = h2("p");
    JdbcDataSource r2 = h2("r2");
    List<String> attempts = new ArrayList<>();
    DataSource dead = unreachable(attempts, new SQLException("Connection refused", "08001"));
    ReplicaReads reads = reads(primary, List.of(dead, r2));

    assertThat(reads.read("t", ReplicaReadsTest::url)).isEqualTo(r2.getURL()); // dead, then r2
    assertThat(attempts).hasSize(1);
    assertThat(reads.isDown(0)).isTrue();
    for (int i = 0; i < 4; i++) {
      assertThat(reads.read("t", ReplicaReadsTest::url)).isEqualTo(r2.getURL());
    }
    assertThat(attempts).as("not tried during its back-off").hasSize(1);

    nanos.addAndGet(ReplicaReads.FIRST_BACKOFF_MS * 1_000_000);
    assertThat(reads.isDown(0)).isFalse();
    reads.read("t", ReplicaReadsTest::url);
    reads.read("t", ReplicaReadsTest::url);
    assertThat(attempts).as("tried once more after the back-off").hasSize(2);
    // the second failure in a row doubles the back-off
    nanos.addAndGet(ReplicaReads.FIRST_BACKOFF_MS * 1_000_000);
    assertThat(reads.isDown(0)).isTrue();
    nanos.addAndGet(ReplicaReads.FIRST_BACKOFF_MS * 1_000_000);
    assertThat(reads.isDown(0)).isFalse();
    assertThat(reads.servedByPrimary()).isZero();
  }

  @Test
  void theBackOffStopsGrowingAtItsCeiling() throws Exception {
    List<String> attempts = new ArrayList<>();
    DataSource dead = unreachable(attempts, new SQLTransientConnectionException("pool timeout"));
    ReplicaReads reads = reads(h2("p"), List.of(dead));
    for (int i = 0; i < 40; i++) {
      reads.read("t", ReplicaReadsTest::url);
      nanos.addAndGet(ReplicaReads.MAX_BACKOFF_MS * 1_000_000);
    }
    assertThat(attempts).hasSize(40);
    reads.read("t", ReplicaReadsTest::url);
    nanos.addAndGet(ReplicaReads.MAX_BACKOFF_MS * 1_000_000 - 1);
    assertThat(reads.isDown(0)).isTrue();
    nanos.addAndGet(1);
    assertThat(reads.isDown(0)).isFalse();
  }

  @Test
  void everyReplicaAwayMeansThePrimaryAnswers() throws Exception {
    JdbcDataSource primary = h2("p");
    List<String> attempts = new ArrayList<>();
    DataSource a = unreachable(attempts, new SQLException("refused", "08001"));
    DataSource b = unreachable(attempts, new SQLException("lost", "08006"));
    ReplicaReads reads = reads(primary, List.of(a, b));
    assertThat(reads.read("t", ReplicaReadsTest::url)).isEqualTo(primary.getURL());
    assertThat(reads.read("t", ReplicaReadsTest::url)).isEqualTo(primary.getURL());
    assertThat(attempts).hasSize(2);
    assertThat(reads.servedByPrimary()).isEqualTo(2);
  }

  @Test
  void aFailingStatementOnAReplicaIsAnsweredByThePrimaryWithoutMarkingItDown() throws Exception {
    JdbcDataSource primary = h2("p");
    JdbcDataSource replica = h2("r");
    ReplicaReads reads = reads(primary, List.of(replica));
    String answer =
        reads.read(
            "t",
            c -> {
              if (url(c).equals(replica.getURL())) {
                throw new SQLException("relation does not exist (not replayed yet)", "42P01");
              }
              return url(c);
            });
    assertThat(answer).isEqualTo(primary.getURL());
    assertThat(reads.isDown(0)).isFalse();
    assertThat(reads.read("t", ReplicaReadsTest::url)).isEqualTo(replica.getURL());
  }

  @Test
  void connectionFailuresAreToldFromStatementFailures() {
    assertThat(ReplicaReads.isUnreachable(new SQLException("x", "08001"))).isTrue();
    assertThat(ReplicaReads.isUnreachable(new SQLException("x", "08006"))).isTrue();
    assertThat(ReplicaReads.isUnreachable(new SQLTransientConnectionException("x"))).isTrue();
    assertThat(ReplicaReads.isUnreachable(new SQLException("x", "42P01"))).isFalse();
    assertThat(ReplicaReads.isUnreachable(new SQLException("x", "40001"))).isFalse();
    assertThat(ReplicaReads.isUnreachable(new SQLException("x"))).isFalse();
  }
}
