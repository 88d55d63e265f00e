package dev.tether.session.jdbc;

import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sweep, inside the caller's transaction: claims up to {@code limit} expired live rows with
 * {@code FOR UPDATE SKIP LOCKED} (rows another sweeper or a writer holds are skipped, never waited
 * for, so no sweeper blocks or deadlocks another), reads their attributes, deletes attributes then
 * rows, and returns the records; then drops up to {@code limit} tombstones that ran out, claimed
 * the same way. A row is deleted only by the transaction holding its lock, and a deleted row is
 * never claimed again, so every expired session is returned exactly once across all sweepers.
 * Expired rows cannot come back to life meanwhile: every write refuses a row that is expired at its
 * clock.
 *
 * <p>With read replicas the candidates are found first on a replica ({@link #scan}, no locks) and
 * then claimed on the primary by key, re-checking liveness and expiry under the same {@code SKIP
 * LOCKED} lock ({@link #run(Candidates)}). A lagging replica can only miss a candidate or offer a
 * stale one: a row it lacks was written too recently to have expired in real time, and a row whose
 * expiry was extended since fails the re-check on the primary; either way the next sweep is right.
 */
final class ExpirySweep {

  /** Keys of expired live rows and of run-out tombstones, as some copy of the database saw them. */
  record Candidates(List<Long> expired, List<Long> tombstones) {}

  /** The largest number of keys put into one {@code IN (…)} list. */
  private static final int IN_CHUNK = 100;

  private final Connection c;
  private final SqlDialect dialect;
  private final TableNames t;
  private final long now;
  private final int limit;

  ExpirySweep(Connection c, SqlDialect dialect, TableNames tables, long now, int limit) {
    this.c = c;
    this.dialect = dialect;
    this.t = tables;
    this.now = now;
    this.limit = limit;
  }

  /** Finds up to {@code limit} expired rows and run-out tombstones at {@code now}, locking none. */
  static Candidates scan(Connection c, TableNames t, long now, int limit) throws SQLException {
    String sql =
        "SELECT pk FROM "
            + t.sessions()
            + " WHERE live = ? AND expires_at <= ? ORDER BY expires_at LIMIT ?";
    List<List<Long>> found = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (boolean live : new boolean[] {true, false}) {
        ps.setBoolean(1, live);
        ps.setLong(2, now);
        ps.setInt(3, limit);
        List<Long> pks = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            pks.add(rs.getLong(1));
          }
        }
        found.add(pks);
      }
    }
    return new Candidates(found.get(0), found.get(1));
  }

  /** The sweep on its own: finds and claims in this transaction. */
  List<SessionRecord> run() throws SQLException {
    Map<Long, SessionRow> claimed = new LinkedHashMap<>();
    String claim =
        "SELECT "
            + SessionRow.COLUMNS
            + " FROM "
            + t.sessions()
            + " s WHERE s.live = TRUE AND s.expires_at <= ? ORDER BY s.expires_at LIMIT ?"
            + dialect.lockSkipLocked();
    try (PreparedStatement ps = c.prepareStatement(claim)) {
      ps.setLong(1, now);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          SessionRow row = SessionRow.read(rs);
          claimed.put(row.pk(), row);
        }
      }
    }
    List<SessionRecord> swept = remove(claimed);
    dropTombstones();
    return swept;
  }

  /** The sweep of candidates found elsewhere: claims those still expired here, by key. */
  List<SessionRecord> run(Candidates candidates) throws SQLException {
    Map<Long, SessionRow> claimed = new LinkedHashMap<>();
    String claim =
        "SELECT "
            + SessionRow.COLUMNS
            + " FROM "
            + t.sessions()
            + " s WHERE s.live = TRUE AND s.expires_at <= ? AND s.pk IN ";
    for (List<Long> chunk : chunks(candidates.expired())) {
      try (PreparedStatement ps =
          c.prepareStatement(claim + placeholders(chunk.size()) + dialect.lockSkipLocked())) {
        ps.setLong(1, now);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setLong(i + 2, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            SessionRow row = SessionRow.read(rs);
            claimed.put(row.pk(), row);
          }
        }
      }
    }
    List<SessionRecord> swept = remove(claimed);
    List<Long> tombstones = new ArrayList<>();
    String lock =
        "SELECT pk FROM " + t.sessions() + " WHERE live = FALSE AND expires_at <= ? AND pk IN ";
    for (List<Long> chunk : chunks(candidates.tombstones())) {
      try (PreparedStatement ps =
          c.prepareStatement(lock + placeholders(chunk.size()) + dialect.lockSkipLocked())) {
        ps.setLong(1, now);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setLong(i + 2, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            tombstones.add(rs.getLong(1));
          }
        }
      }
    }
    deleteByKeys(c, "DELETE FROM " + t.sessions() + " WHERE pk IN ", tombstones);
    return swept;
  }

  private List<SessionRecord> remove(Map<Long, SessionRow> claimed) throws SQLException {
    List<SessionRecord> swept = new ArrayList<>();
    if (!claimed.isEmpty()) {
      List<Long> pks = new ArrayList<>(claimed.keySet());
      Map<Long, Map<String, AttributeValue>> attributes = readAttributes(pks);
      deleteByKeys(c, "DELETE FROM " + t.attributes() + " WHERE session_pk IN ", pks);
      deleteByKeys(c, "DELETE FROM " + t.sessions() + " WHERE pk IN ", pks);
      for (SessionRow row : claimed.values()) {
        swept.add(row.toRecord(attributes.getOrDefault(row.pk(), Map.of())));
      }
    }
    return Collections.unmodifiableList(swept);
  }

  private Map<Long, Map<String, AttributeValue>> readAttributes(List<Long> pks)
      throws SQLException {
    Map<Long, Map<String, AttributeValue>> byPk = new HashMap<>();
    for (List<Long> chunk : chunks(pks)) {
      String sql =
          "SELECT session_pk, name, version, bytes FROM "
              + t.attributes()
              + " WHERE session_pk IN "
              + placeholders(chunk.size());
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            byPk.computeIfAbsent(rs.getLong(1), k -> new HashMap<>())
                .put(rs.getString(2), new AttributeValue(rs.getBytes(4), rs.getLong(3)));
          }
        }
      }
    }
    return byPk;
  }

  private void dropTombstones() throws SQLException {
    String claim =
        "SELECT pk FROM "
            + t.sessions()
            + " WHERE live = FALSE AND expires_at <= ? ORDER BY expires_at LIMIT ?"
            + dialect.lockSkipLocked();
    List<Long> pks = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(claim)) {
      ps.setLong(1, now);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          pks.add(rs.getLong(1));
        }
      }
    }
    deleteByKeys(c, "DELETE FROM " + t.sessions() + " WHERE pk IN ", pks);
  }

  /** Runs {@code sqlPrefix (?, ?, …)} for {@code keys}, in chunks. */
  static void deleteByKeys(Connection c, String sqlPrefix, List<Long> keys) throws SQLException {
    for (List<Long> chunk : chunks(keys)) {
      try (PreparedStatement ps = c.prepareStatement(sqlPrefix + placeholders(chunk.size()))) {
        bind(ps, chunk);
        ps.executeUpdate();
      }
    }
  }

  private static List<List<Long>> chunks(List<Long> keys) {
    List<List<Long>> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += IN_CHUNK) {
      out.add(keys.subList(i, Math.min(keys.size(), i + IN_CHUNK)));
    }
    return out;
  }

  private static String placeholders(int n) {
    return "(" + String.join(", ", Collections.nCopies(n, "?")) + ")";
  }

  private static void bind(PreparedStatement ps, List<Long> keys) throws SQLException {
    for (int i = 0; i < keys.size(); i++) {
      ps.setLong(i + 1, keys.get(i));
    }
  }
}
