package dev.tether.demo.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tether.demo.DemoSettings;
import dev.tether.demo.chat.JdbcChatBus;
import dev.tether.session.jdbc.JdbcSessionStoreProvider;
import dev.tether.session.spi.SessionStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A SQL database: sessions in the {@code <namespace>_} tables of {@code tether-session-jdbc}, the
 * chat in {@code <namespace>_chat}. The URL carries the credentials ({@code ?user=…&password=…} for
 * PostgreSQL and MariaDB). Without a URL, an H2 database in this JVM's memory, dropped on {@link
 * #close}. Each instance has its own two small connection pools; a crash closes them. The session
 * store sits behind a circuit breaker ({@link StoreBackend#guarded}).
 */
final class JdbcBackend implements StoreBackend {

  private final Clock clock;
  private final String url;
  private final boolean ownDatabase;
  private final String prefix;

  JdbcBackend(DemoSettings settings, Clock clock) {
    this.clock = clock;
    this.ownDatabase = settings.storeUri() == null;
    this.url =
        ownDatabase
            ? "jdbc:h2:mem:tether-demo-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"
            : settings.storeUri();
    String ns = settings.namespace().toLowerCase(Locale.ROOT);
    this.prefix = (Character.isLetter(ns.charAt(0)) ? ns : "d" + ns) + "_";
  }

  @Override
  public InstanceStore open(String instance) {
    SessionStore store =
        StoreBackend.guarded(
            new JdbcSessionStoreProvider()
                .create(Map.of("url", url, "pool-size", "4", "table-prefix", prefix), clock),
            "jdbc",
            clock);
    HikariDataSource chatPool;
    JdbcChatBus chat;
    try {
      HikariConfig c = new HikariConfig();
      c.setPoolName("tether-demo-chat-" + instance);
      c.setJdbcUrl(url);
      c.setMaximumPoolSize(2);
      c.setMinimumIdle(1);
      chatPool = new HikariDataSource(c);
    } catch (RuntimeException e) {
      store.close();
      throw new IllegalStateException("chat: cannot connect to " + redacted(), e);
    }
    try {
      chat = new JdbcChatBus(chatPool, prefix, instance);
    } catch (RuntimeException e) {
      chatPool.close();
      store.close();
      throw e;
    }
    Runnable release =
        () -> {
          chat.close();
          chatPool.close();
          store.close();
        };
    return new InstanceStore(store, chat, true, release, release);
  }

  private String redacted() {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?…";
  }

  @Override
  public void close() {
    if (!ownDatabase) {
      return;
    }
    try (Connection c = java.sql.DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    } catch (SQLException e) {
      // already gone
    }
  }
}
