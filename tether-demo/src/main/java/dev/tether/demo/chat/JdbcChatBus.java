package dev.tether.demo.chat;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The database's chat: a table {@code <prefix>chat} (message id, time, user, text, origin), one row
 * per message; the publisher deletes rows beyond the last {@link ChatBus#HISTORY}. SQL has no
 * portable publish/subscribe (PostgreSQL's {@code LISTEN} is not in MariaDB or H2), so every
 * instance polls the table every {@value #POLL_MS} ms and delivers rows it has not seen: a message
 * reaches other instances within about half a second, and costs each instance two small queries a
 * second while idle. Time-ordered ids make the order, so rows committed out of order are still
 * delivered (the poll reads the whole short table, not "after the last id").
 */
public final class JdbcChatBus implements ChatBus {

  static final long POLL_MS = 500;

  private final DataSource db;
  private final String table;
  private final String sentTable;
  private final Poller poller;

  /**
   * A bus over table {@code tablePrefix + "chat"} in {@code db}, created if missing.
   *
   * @param tablePrefix letters, digits and {@code _}
   */
  public JdbcChatBus(DataSource db, String tablePrefix, String instance) {
    this.db = requireNonNull(db, "db");
    if (!tablePrefix.matches("[A-Za-z0-9_]*")) {
      throw new IllegalArgumentException(
          "table prefix '" + tablePrefix + "' must be letters, digits or _");
    }
    this.table = tablePrefix.toLowerCase(Locale.ROOT) + "chat";
    this.sentTable = table + "_sent";
    createTable();
    this.poller = new Poller("tether-demo-chat-poll-" + instance, this::history);
  }

  private void createTable() {
    String ddl =
        "CREATE TABLE IF NOT EXISTS "
            + table
            + " (id VARCHAR(100) NOT NULL PRIMARY KEY,"
            + " at_ms BIGINT NOT NULL, user_name VARCHAR(100) NOT NULL, text VARCHAR(2000) NOT NULL,"
            + " origin VARCHAR(100) NOT NULL)";
    String sent =
        "CREATE TABLE IF NOT EXISTS "
            + sentTable
            + " (id VARCHAR(100) NOT NULL PRIMARY KEY,"
            + " at_ms BIGINT NOT NULL, log VARCHAR(8000) NOT NULL)";
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute(ddl);
      s.execute(sent);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "chat: cannot create table " + table + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void publish(ChatMessage m) {
    try (Connection c = db.getConnection()) {
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO "
                  + table
                  + " (id, at_ms, user_name, text, origin) VALUES (?, ?, ?, ?, ?)")) {
        p.setString(1, m.id());
        p.setLong(2, m.at());
        p.setString(3, m.user());
        p.setString(4, m.text());
        p.setString(5, m.origin());
        p.executeUpdate();
      }
      String oldestKept = null;
      try (Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "SELECT id FROM "
                      + table
                      + " ORDER BY id DESC LIMIT 1 OFFSET "
                      + (HISTORY - 1))) {
        if (r.next()) {
          oldestKept = r.getString(1);
        }
      }
      if (oldestKept != null) {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE id < ?")) {
          d.setString(1, oldestKept);
          d.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "chat: cannot store a message in " + table + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<ChatMessage> history() {
    List<ChatMessage> all = new ArrayList<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT id, at_ms, user_name, text, origin FROM " + table + " ORDER BY id")) {
      while (r.next()) {
        all.add(
            new ChatMessage(
                r.getString(1), r.getString(3), r.getString(4), r.getString(5), r.getLong(2)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("chat: cannot read " + table + ": " + e.getMessage(), e);
    }
    return ChatBus.last(all);
  }

  @Override
  public void putSent(String connection, String log) {
    long now = System.currentTimeMillis();
    try (Connection c = db.getConnection()) {
      int updated;
      try (PreparedStatement p =
          c.prepareStatement("UPDATE " + sentTable + " SET log = ?, at_ms = ? WHERE id = ?")) {
        p.setString(1, log);
        p.setLong(2, now);
        p.setString(3, connection);
        updated = p.executeUpdate();
      }
      if (updated == 0) {
        // a new connection (one writer per connection: no race for its row); old rows go now
        try (PreparedStatement d =
            c.prepareStatement("DELETE FROM " + sentTable + " WHERE at_ms < ?")) {
          d.setLong(1, now - SENT_KEPT.toMillis());
          d.executeUpdate();
        }
        try (PreparedStatement p =
            c.prepareStatement("INSERT INTO " + sentTable + " (id, at_ms, log) VALUES (?, ?, ?)")) {
          p.setString(1, connection);
          p.setLong(2, now);
          p.setString(3, log);
          p.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "chat: cannot store a sent log in " + sentTable + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String sent(String connection) {
    try (Connection c = db.getConnection();
        PreparedStatement p =
            c.prepareStatement("SELECT log FROM " + sentTable + " WHERE id = ?")) {
      p.setString(1, connection);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("chat: cannot read " + sentTable + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void forgetSent(String connection) {
    try (Connection c = db.getConnection();
        PreparedStatement p = c.prepareStatement("DELETE FROM " + sentTable + " WHERE id = ?")) {
      p.setString(1, connection);
      p.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "chat: cannot delete from " + sentTable + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void subscribe(Consumer<ChatMessage> s) {
    poller.subscribe(requireNonNull(s, "subscriber"));
  }

  @Override
  public void close() {
    poller.close();
  }
}
