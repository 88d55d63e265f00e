package dev.tether.session.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JDBC store on MariaDB from TETHER_TEST_MARIADB_*, through a pool left at the server's default
 * REPEATABLE READ, so the store's own switch to READ COMMITTED is what keeps sweeps free of gap
 * locks.
 */
class MariaDbJdbcSessionStoreTest extends JdbcSessionStoreContractTest {

  private static TestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = TestDatabase.fromEnvironment("MARIADB", false);
  }

  @AfterAll
  static void dropTables() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @Override
  protected TestDatabase database() {
    return db;
  }

  @Test
  void thePoolReallyHandsOutRepeatableRead() throws Exception {
    try (Connection c = db.pool().getConnection()) {
      assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
    }
  }
}
