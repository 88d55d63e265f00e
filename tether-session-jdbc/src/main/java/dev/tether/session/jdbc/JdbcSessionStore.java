package dev.tether.session.jdbc;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Sessions in a SQL database (PostgreSQL, MariaDB/MySQL or H2, detected from the connection).
 *
 * <p>Design (spring-session's JDBC layout, with the races it has fixed): a session row keyed by a
 * stable generated {@code pk} holds the id, version, times, expiry and principal; an attribute row
 * per attribute holds its bytes and the version that wrote it. Every write is one READ COMMITTED
 * transaction that first locks the session row ({@code SELECT … FOR UPDATE}) and re-checks that it
 * is live at the store's clock, so writers of one session are serialised, a write after a delete,
 * rotation or expiry answers GONE (no resurrection, spring-session#2021, jetty#3277), and attribute
 * inserts never race on their key (spring-session#1213): a save reads the written versions,
 * computes conflicts exactly as {@link SessionRecord#merge} does, upserts and deletes the named
 * attributes and bumps the version. A delete turns the row into a tombstone ({@code live = FALSE},
 * expiring one idle timeout later); rotation updates {@code session_id} of the same row and inserts
 * a tombstone for the old id, so attributes never move. The unique id constraint covers tombstones,
 * which is what refuses re-creation of a tombstoned id. The sweep claims expired rows with {@code
 * FOR UPDATE SKIP LOCKED LIMIT n} and deletes them with their attributes in the same transaction,
 * so concurrent sweepers on any number of instances claim disjoint sets and never wait for each
 * other (spring-session#838's cleanup deadlocks came from unbounded {@code DELETE … WHERE expiry <
 * ?} on every node). Lock order is always session row, then its attribute rows. Expiry is judged
 * only by the injected clock: times are epoch milliseconds passed as parameters, never the
 * database's {@code NOW()}. Reads are single auto-committed statements (a join), so a load sees one
 * consistent snapshot. The principal index is the row's {@code principal_hash} column (SHA-256 of
 * the name, so any length and any characters index the same way); it follows every write because it
 * lives on the row itself.
 *
 * <p>Read replicas (optional): session loads, version checks and every write stay on the primary,
 * because a replica's lag would serve a stale session (read-your-writes). Only the reads that
 * tolerate lag go to a replica through {@link ReplicaReads}: {@link #findByPrincipal} (a session
 * written a moment ago may be missing from the listing, a deleted one may linger, for as long as
 * the replica lags) and the sweep's candidate scan (claimed again on the primary; see {@link
 * ExpirySweep}).
 *
 * <pre>{@code
 * SessionStore store = new JdbcSessionStore(hikariDataSource, "tether_", Clock.systemUTC());
 * SessionStore withReplicas =
 *     new JdbcSessionStore(primaryPool, List.of(replicaPool), "tether_", Clock.systemUTC());
 * }</pre>
 */
public final class JdbcSessionStore implements SessionStore {

  /**
   * How long a statement may run before the database cancels it, when the store is built from a
   * data source directly ({@link JdbcSessionStoreProvider} takes it from {@code query-timeout}).
   */
  public static final java.time.Duration DEFAULT_QUERY_TIMEOUT = java.time.Duration.ofSeconds(5);

  /** The longest attribute name the attribute table holds. */
  public static final int MAX_NAME_LENGTH = 255;

  private final SqlDialect dialect;
  private final TableNames t;
  private final Clock clock;
  private final TransactionRunner tx;
  private final ReplicaReads replicaReads;
  private final boolean listingsFromReplicas;
  private final boolean sweepsFromReplicas;
  private final AutoCloseable onClose;

  private final String lockLive;
  private final String loadJoined;
  private final String upsert;
  private final AttributeRows attributeRows;

  /**
   * A store over {@code dataSource}, creating or migrating its tables first. The data source is not
   * closed by {@link #close()}; a pool should hand out READ COMMITTED connections (otherwise the
   * store switches each transaction to it, one more round trip).
   *
   * @param tablePrefix prepended to every table name: empty, or a letter followed by up to 29
   *     letters, digits or underscores
   * @throws IllegalArgumentException for a bad prefix
   * @throws IllegalStateException when the database is unreachable, unsupported, or its schema is
   *     newer than this code
   */
  public JdbcSessionStore(DataSource dataSource, String tablePrefix, Clock clock) {
    this(dataSource, tablePrefix, clock, () -> {}, Replicas.NONE, DEFAULT_QUERY_TIMEOUT);
  }

  /**
   * Like {@link #JdbcSessionStore(DataSource, String, Clock)}, with read replicas of that database
   * for the reads that tolerate lag (round robin, falling back to {@code dataSource} when a replica
   * is unreachable). The replicas' data sources are not closed by {@link #close()}; small pools do
   * (two connections each), and they should time out quickly (a second) so that an unreachable
   * replica costs little before it is marked down.
   */
  public JdbcSessionStore(
      DataSource dataSource, List<DataSource> replicas, String tablePrefix, Clock clock) {
    this(
        dataSource,
        tablePrefix,
        clock,
        () -> {},
        new Replicas(replicas, System::nanoTime, true, true),
        DEFAULT_QUERY_TIMEOUT);
  }

  JdbcSessionStore(
      DataSource dataSource,
      String tablePrefix,
      Clock clock,
      AutoCloseable onClose,
      Replicas replicas,
      java.time.Duration queryTimeout) {
    requireNonNull(dataSource, "dataSource");
    this.t = new TableNames(requireNonNull(tablePrefix, "tablePrefix"));
    this.clock = requireNonNull(clock, "clock");
    this.onClose = requireNonNull(onClose, "onClose");
    boolean setIsolation;
    try (Connection c = dataSource.getConnection()) {
      this.dialect = SqlDialect.detect(c.getMetaData());
      setIsolation = c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED;
      c.setAutoCommit(true); // DDL must not be rolled back with a pool's open transaction
      new SchemaMigrator(dialect, t).migrate(c);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "JDBC session store: cannot prepare the session tables (SQL state "
              + e.getSQLState()
              + ")",
          e);
    }
    this.tx =
        new TransactionRunner(
            dataSource, dialect, setIsolation, QueryTimeouts.seconds(queryTimeout));
    this.replicaReads = new ReplicaReads(replicas.dataSources(), tx, replicas.nanoTime());
    this.listingsFromReplicas = replicas.listings() && !replicas.dataSources().isEmpty();
    this.sweepsFromReplicas = replicas.sweeps() && !replicas.dataSources().isEmpty();
    this.lockLive =
        "SELECT "
            + SessionRow.COLUMNS
            + " FROM "
            + t.sessions()
            + " s WHERE s.session_id = ? AND s.live = TRUE FOR UPDATE";
    this.loadJoined =
        "SELECT "
            + SessionRow.COLUMNS
            + ", a.name, a.version, a.bytes FROM "
            + t.sessions()
            + " s LEFT JOIN "
            + t.attributes()
            + " a ON a.session_pk = s.pk WHERE s.session_id = ? AND s.live = TRUE";
    this.upsert = dialect.upsertAttribute(t);
    this.attributeRows = new AttributeRows(t, upsert);
  }

  /** The database dialect in use, for diagnostics. */
  String dialectName() {
    return dialect.name();
  }

  /** Where the lag-tolerant reads went, for tests and diagnostics. */
  ReplicaReads replicaReads() {
    return replicaReads;
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.requireValid(id);
    long now = now();
    return tx.read(
        "load",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(loadJoined)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              SessionRow row = SessionRow.read(rs);
              if (!row.isLiveAt(now)) {
                return Optional.empty();
              }
              Map<String, AttributeValue> attributes = new HashMap<>();
              int n = SessionRow.COLUMN_COUNT;
              do {
                String name = rs.getString(n + 1);
                if (name != null) {
                  attributes.put(name, new AttributeValue(rs.getBytes(n + 3), rs.getLong(n + 2)));
                }
              } while (rs.next());
              return Optional.of(row.toRecord(attributes));
            }
          }
        });
  }

  @Override
  public OptionalLong currentVersion(String id) {
    SessionIds.requireValid(id);
    long now = now();
    String sql =
        "SELECT version, expires_at FROM " + t.sessions() + " WHERE session_id = ? AND live = TRUE";
    return tx.read(
        "currentVersion",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() && now < rs.getLong(2)
                  ? OptionalLong.of(rs.getLong(1))
                  : OptionalLong.empty();
            }
          }
        });
  }

  @Override
  public SaveResult create(SessionRecord session) {
    requireNonNull(session, "session");
    session.attributes().keySet().forEach(JdbcSessionStore::requireStorableName);
    String sql =
        "INSERT INTO "
            + t.sessions()
            + " (session_id, live, version, created_at, last_access_at, idle_ms, absolute_ms,"
            + " expires_at, principal, principal_hash) VALUES (?, TRUE, ?, ?, ?, ?, ?, ?, ?, ?)";
    return tx.write(
        "create",
        c -> {
          long pk;
          try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, session.id());
            ps.setLong(2, session.version());
            ps.setLong(3, session.createdAt().toEpochMilli());
            ps.setLong(4, session.lastAccessedAt().toEpochMilli());
            ps.setLong(5, session.idleTimeout().toMillis());
            ps.setLong(6, session.absoluteTimeout().toMillis());
            ps.setLong(7, session.expiresAt().toEpochMilli());
            PrincipalKey.bind(ps, 8, session.principal());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
              if (!keys.next()) {
                throw new SQLException("the database returned no generated key for the session");
              }
              pk = keys.getLong(1);
            }
          } catch (SQLException e) {
            if (!dialect.isDuplicateKey(e)) {
              throw e;
            }
            c.rollback();
            return SaveResult.idTaken();
          }
          if (!session.attributes().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(upsert)) {
              for (Map.Entry<String, AttributeValue> a : session.attributes().entrySet()) {
                AttributeRows.bind(
                    ps, pk, a.getKey(), a.getValue().version(), a.getValue().bytes());
              }
              ps.executeBatch();
            }
          }
          return SaveResult.saved(session.version());
        });
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    requireNonNull(delta, "delta");
    delta.changed().keySet().forEach(JdbcSessionStore::requireStorableName);
    long now = now();
    return tx.write(
        "save",
        c -> {
          SessionRow row = lockLive(c, delta.id(), now);
          if (row == null) {
            return SaveResult.gone();
          }
          long next = row.version() + 1;
          Set<String> conflicts = new TreeSet<>();
          if (!delta.changed().isEmpty() || !delta.removed().isEmpty()) {
            Map<String, Long> written = attributeRows.versions(c, row.pk());
            for (String name : delta.changed().keySet()) {
              addIfConflict(conflicts, written.get(name), delta.baseVersion(), name);
            }
            for (String name : delta.removed()) {
              addIfConflict(conflicts, written.get(name), delta.baseVersion(), name);
            }
            attributeRows.write(c, row.pk(), next, delta, written.keySet());
          }
          long access = row.lastAccessAt();
          if (delta.lastAccessedAt() != null) {
            access = Math.max(access, delta.lastAccessedAt().toEpochMilli());
          }
          long idle = delta.idleTimeout() != null ? delta.idleTimeout().toMillis() : row.idleMs();
          String principal =
              delta.principal() != null ? delta.principal().principal() : row.principal();
          String sql =
              "UPDATE "
                  + t.sessions()
                  + " SET version = ?, last_access_at = ?, idle_ms = ?, expires_at = ?,"
                  + " principal = ?, principal_hash = ? WHERE pk = ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, next);
            ps.setLong(2, access);
            ps.setLong(3, idle);
            ps.setLong(4, SessionRow.expiry(row.createdAt(), access, idle, row.absoluteMs()));
            PrincipalKey.bind(ps, 5, principal);
            ps.setLong(7, row.pk());
            ps.executeUpdate();
          }
          return SaveResult.saved(next, conflicts);
        });
  }

  @Override
  public boolean delete(String id) {
    SessionIds.requireValid(id);
    long now = now();
    return tx.write(
        "delete",
        c -> {
          SessionRow row = lockLive(c, id, Long.MIN_VALUE);
          if (row == null) {
            return false;
          }
          deleteAttributes(c, List.of(row.pk()));
          String sql =
              "UPDATE "
                  + t.sessions()
                  + " SET live = FALSE, expires_at = ?, principal = NULL, principal_hash = NULL"
                  + " WHERE pk = ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, now + row.idleMs());
            ps.setLong(2, row.pk());
            ps.executeUpdate();
          }
          return row.isLiveAt(now);
        });
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    SessionIds.requireValid(oldId);
    SessionIds.requireValid(newId);
    long now = now();
    return tx.write(
        "rotateId",
        c -> {
          SessionRow row = lockLive(c, oldId, now);
          if (row == null) {
            return SaveResult.gone();
          }
          if (oldId.equals(newId)) {
            return SaveResult.idTaken();
          }
          String sql = "UPDATE " + t.sessions() + " SET session_id = ?, version = ? WHERE pk = ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, newId);
            ps.setLong(2, row.version() + 1);
            ps.setLong(3, row.pk());
            ps.executeUpdate();
          } catch (SQLException e) {
            if (!dialect.isDuplicateKey(e)) {
              throw e;
            }
            c.rollback();
            return SaveResult.idTaken();
          }
          insertTombstone(c, oldId, now, row.idleMs());
          return SaveResult.saved(row.version() + 1);
        });
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    requireNonNull(principal, "principal");
    String sql =
        "SELECT session_id, principal FROM "
            + t.sessions()
            + " WHERE principal_hash = ? AND live = TRUE";
    TransactionRunner.Work<Set<String>> find =
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, PrincipalKey.hash(principal));
            Set<String> ids = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                if (principal.equals(rs.getString(2))) {
                  ids.add(rs.getString(1));
                }
              }
            }
            return Set.copyOf(ids);
          }
        };
    return listingsFromReplicas
        ? replicaReads.read("findByPrincipal", find)
        : tx.read("findByPrincipal", find);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("sweep limit " + limit + " must be at least 1");
    }
    long now = now();
    if (!sweepsFromReplicas) {
      return tx.write("sweepExpired", c -> new ExpirySweep(c, dialect, t, now, limit).run());
    }
    ExpirySweep.Candidates candidates =
        replicaReads.read("sweepExpired", c -> ExpirySweep.scan(c, t, now, limit));
    if (candidates.expired().isEmpty() && candidates.tombstones().isEmpty()) {
      return List.of();
    }
    return tx.write(
        "sweepExpired", c -> new ExpirySweep(c, dialect, t, now, limit).run(candidates));
  }

  @Override
  public void close() {
    try {
      onClose.close();
    } catch (Exception e) {
      throw new IllegalStateException("JDBC session store: closing its connection pool failed", e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private long now() {
    return clock.instant().toEpochMilli();
  }

  /** The live row of {@code id}, locked, if it is live at {@code now}; else {@code null}. */
  private SessionRow lockLive(Connection c, String id, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(lockLive)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        SessionRow row = SessionRow.read(rs);
        return row.isLiveAt(now) ? row : null;
      }
    }
  }

  private void deleteAttributes(Connection c, List<Long> pks) throws SQLException {
    ExpirySweep.deleteByKeys(c, "DELETE FROM " + t.attributes() + " WHERE session_pk IN ", pks);
  }

  private void insertTombstone(Connection c, String id, long now, long idleMs) throws SQLException {
    String sql =
        "INSERT INTO "
            + t.sessions()
            + " (session_id, live, version, created_at, last_access_at, idle_ms, absolute_ms,"
            + " expires_at) VALUES (?, FALSE, 1, ?, ?, ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, id);
      ps.setLong(2, now);
      ps.setLong(3, now);
      ps.setLong(4, idleMs);
      ps.setLong(5, idleMs);
      ps.setLong(6, now + idleMs);
      ps.executeUpdate();
    }
  }

  private static void addIfConflict(Set<String> conflicts, Long written, long base, String name) {
    if (written != null && written > base) {
      conflicts.add(name);
    }
  }

  private static void requireStorableName(String name) {
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "attribute name of "
              + name.length()
              + " characters is too long for the JDBC session store; at most "
              + MAX_NAME_LENGTH
              + " are allowed");
    }
  }
}
