package dev.tether.session.jdbc;

import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One live session row as read, times in epoch milliseconds.
 *
 * @param pk the stable internal key (attributes refer to it; rotation keeps it)
 */
record SessionRow(
    long pk,
    String id,
    long version,
    long createdAt,
    long lastAccessAt,
    long idleMs,
    long absoluteMs,
    long expiresAt,
    String principal) {

  /** The columns {@link #read} expects, in order, for a table aliased {@code s}. */
  static final String COLUMNS =
      "s.pk, s.session_id, s.version, s.created_at, s.last_access_at, s.idle_ms, s.absolute_ms,"
          + " s.expires_at, s.principal";

  /** The number of columns in {@link #COLUMNS}. */
  static final int COLUMN_COUNT = 9;

  static SessionRow read(ResultSet rs) throws SQLException {
    return new SessionRow(
        rs.getLong(1),
        rs.getString(2),
        rs.getLong(3),
        rs.getLong(4),
        rs.getLong(5),
        rs.getLong(6),
        rs.getLong(7),
        rs.getLong(8),
        rs.getString(9));
  }

  /** Whether the session is still live at {@code nowMs} (expired from {@code expiresAt} on). */
  boolean isLiveAt(long nowMs) {
    return nowMs < expiresAt;
  }

  /** Expiry as {@link SessionRecord#expiresAt()} computes it. */
  static long expiry(long createdAt, long lastAccessAt, long idleMs, long absoluteMs) {
    return Math.min(lastAccessAt + idleMs, createdAt + absoluteMs);
  }

  SessionRecord toRecord(Map<String, AttributeValue> attributes) {
    return new SessionRecord(
        id,
        Instant.ofEpochMilli(createdAt),
        Instant.ofEpochMilli(lastAccessAt),
        Duration.ofMillis(idleMs),
        Duration.ofMillis(absoluteMs),
        version,
        principal,
        attributes);
  }
}
