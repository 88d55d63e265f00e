package dev.tether.session.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The JDBC store on PostgreSQL from TETHER_TEST_PG_*. */
class PostgresJdbcSessionStoreTest extends JdbcSessionStoreContractTest {

  private static TestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = TestDatabase.fromEnvironment("PG");
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
}
