package dev.tether.session.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The JDBC store on embedded H2 (always runs). */
class H2JdbcSessionStoreTest extends JdbcSessionStoreContractTest {

  private static TestDatabase db;

  @BeforeAll
  static void openDatabase() {
    db = TestDatabase.h2();
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
