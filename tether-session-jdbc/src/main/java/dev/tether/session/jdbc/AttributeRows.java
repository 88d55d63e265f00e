package dev.tether.session.jdbc;

import dev.tether.session.spi.SessionDelta;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The attribute rows of one session, inside the caller's transaction (which already holds the
 * session row's lock): their written versions, and a delta's upserts and deletes.
 */
final class AttributeRows {

  private final TableNames t;
  private final String upsert;

  AttributeRows(TableNames tables, String upsert) {
    this.t = tables;
    this.upsert = upsert;
  }

  /** The version that wrote each attribute of session {@code pk}, by name. */
  Map<String, Long> versions(Connection c, long pk) throws SQLException {
    String sql = "SELECT name, version FROM " + t.attributes() + " WHERE session_pk = ?";
    Map<String, Long> versions = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, pk);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          versions.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return versions;
  }

  /** Upserts the delta's changed attributes at {@code version} and deletes its removed ones. */
  void write(Connection c, long pk, long version, SessionDelta delta, Set<String> present)
      throws SQLException {
    if (!delta.changed().isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(upsert)) {
        for (Map.Entry<String, byte[]> a : delta.changed().entrySet()) {
          bind(ps, pk, a.getKey(), version, a.getValue());
        }
        ps.executeBatch();
      }
    }
    List<String> gone = delta.removed().stream().filter(present::contains).toList();
    if (!gone.isEmpty()) {
      String sql = "DELETE FROM " + t.attributes() + " WHERE session_pk = ? AND name = ?";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (String name : gone) {
          ps.setLong(1, pk);
          ps.setString(2, name);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  /** Adds one upsert of an attribute to {@code ps}'s batch. */
  static void bind(PreparedStatement ps, long pk, String name, long version, byte[] bytes)
      throws SQLException {
    ps.setLong(1, pk);
    ps.setString(2, name);
    ps.setLong(3, version);
    ps.setBytes(4, bytes);
    ps.addBatch();
  }
}
