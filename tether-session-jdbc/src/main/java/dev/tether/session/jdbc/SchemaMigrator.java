package dev.tether.session.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates or upgrades the store's tables when a store starts. A small version table records the
 * schema version; every step is idempotent ({@code CREATE … IF NOT EXISTS}), and PostgreSQL and
 * MariaDB take a named lock around the migration (H2 a JVM lock), so app instances starting
 * together are safe; a failed attempt is retried once, for the rare race the locks do not cover
 * (two processes on one H2 server). A schema newer than this code is refused rather than used.
 */
final class SchemaMigrator {

  /** The schema version this code reads and writes. */
  static final int CURRENT = 1;

  private final SqlDialect dialect;
  private final TableNames t;

  SchemaMigrator(SqlDialect dialect, TableNames tables) {
    this.dialect = dialect;
    this.t = tables;
  }

  /** Brings the schema to {@link #CURRENT}; runs in auto-commit mode (DDL commits in MariaDB). */
  void migrate(Connection c) throws SQLException {
    try {
      migrateOnce(c);
    } catch (SQLException first) {
      try {
        migrateOnce(c); // every step is idempotent: finish what another instance started
      } catch (SQLException second) {
        second.addSuppressed(first);
        throw second;
      }
    }
  }

  private void migrateOnce(Connection c) throws SQLException {
    dialect.lockSchema(c, t);
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + t.schemaVersion()
              + " (version INT NOT NULL PRIMARY KEY)"
              + dialect.tableOptions());
      int found = version(s);
      if (found > CURRENT) {
        throw new IllegalStateException(
            "the session tables with prefix '"
                + t.prefix()
                + "' are at schema version "
                + found
                + ", newer than the "
                + CURRENT
                + " this tether-session-jdbc understands; upgrade it on every app instance");
      }
      if (found < 1) {
        for (String ddl : versionOne()) {
          s.execute(ddl);
        }
        try {
          s.executeUpdate("INSERT INTO " + t.schemaVersion() + " (version) VALUES (1)");
        } catch (SQLException e) {
          if (!dialect.isDuplicateKey(e)) {
            throw e; // a duplicate means another instance finished the same migration first
          }
        }
      }
    } finally {
      dialect.unlockSchema(c, t);
    }
  }

  private int version(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + t.schemaVersion())) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  /**
   * Version 1. A session row has a stable internal key {@code pk} so that id rotation is an update
   * of {@code session_id}; {@code live = FALSE} marks a tombstone, which shares the unique id
   * constraint with live rows and so blocks re-creation of its id until {@code expires_at}. Times
   * are epoch milliseconds compared with the store's clock, never the database's.
   */
  private List<String> versionOne() {
    List<String> ddl = new ArrayList<>();
    String inline =
        dialect.indexesInline()
            ? ", INDEX "
                + t.expiryIndex()
                + " (live, expires_at), INDEX "
                + t.principalIndex()
                + " (principal_hash)"
            : "";
    ddl.add(
        "CREATE TABLE IF NOT EXISTS "
            + t.sessions()
            + " (pk "
            + dialect.identityKey()
            + ", session_id VARCHAR(128) NOT NULL"
            + ", live BOOLEAN NOT NULL"
            + ", version BIGINT NOT NULL"
            + ", created_at BIGINT NOT NULL"
            + ", last_access_at BIGINT NOT NULL"
            + ", idle_ms BIGINT NOT NULL"
            + ", absolute_ms BIGINT NOT NULL"
            + ", expires_at BIGINT NOT NULL"
            + ", principal "
            + dialect.textType()
            + ", principal_hash CHAR(64)"
            + ", CONSTRAINT "
            + t.idConstraint()
            + " UNIQUE (session_id)"
            + inline
            + ")"
            + dialect.tableOptions());
    if (!dialect.indexesInline()) {
      ddl.add(
          "CREATE INDEX IF NOT EXISTS "
              + t.expiryIndex()
              + " ON "
              + t.sessions()
              + " (live, expires_at)");
      ddl.add(
          "CREATE INDEX IF NOT EXISTS "
              + t.principalIndex()
              + " ON "
              + t.sessions()
              + " (principal_hash)");
    }
    ddl.add(
        "CREATE TABLE IF NOT EXISTS "
            + t.attributes()
            + " (session_pk BIGINT NOT NULL"
            + ", name VARCHAR("
            + JdbcSessionStore.MAX_NAME_LENGTH
            + ") NOT NULL"
            + ", version BIGINT NOT NULL"
            + ", bytes "
            + dialect.blobType()
            + " NOT NULL"
            + ", PRIMARY KEY (session_pk, name))"
            + dialect.tableOptions());
    return ddl;
  }
}
