package dev.tether.session.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs a unit of work on a pooled connection, either as one READ COMMITTED transaction (retried a
 * few times when the database reports a deadlock or serialisation failure, which rolled it back
 * entirely) or as a single auto-committed read. SQL errors surface as {@link IllegalStateException}
 * naming the operation and the SQL state; messages never carry session ids (the store never puts
 * ids in SQL text, only in parameters).
 */
final class TransactionRunner {

  /** A unit of work on one connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private static final int ATTEMPTS = 3;

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final boolean setIsolation;
  private final int queryTimeoutSeconds;

  /**
   * @param setIsolation whether each transaction must switch the connection to READ COMMITTED (its
   *     pool hands out another default, e.g. MariaDB's REPEATABLE READ with its gap locks)
   * @param queryTimeoutSeconds every statement's {@link java.sql.Statement#setQueryTimeout}, 0 for
   *     none
   */
  TransactionRunner(
      DataSource dataSource, SqlDialect dialect, boolean setIsolation, int queryTimeoutSeconds) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.setIsolation = setIsolation;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
  }

  /** {@code c} with this runner's statement timeout. */
  Connection timed(Connection c) {
    return QueryTimeouts.wrap(c, queryTimeoutSeconds);
  }

  /** Runs {@code work} in one transaction, committed when it returns normally. */
  <T> T write(String what, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = timed(dataSource.getConnection())) {
        if (setIsolation) {
          c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          rollback(c, e);
          throw e;
        }
      } catch (SQLException e) {
        if (attempt < ATTEMPTS && dialect.isTransient(e)) {
          continue;
        }
        throw failure(what, e);
      }
    }
  }

  /** Runs {@code work} as auto-committed statements (each one reads a consistent snapshot). */
  <T> T read(String what, Work<T> work) {
    try (Connection c = timed(dataSource.getConnection())) {
      return work.run(c);
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static IllegalStateException failure(String what, SQLException e) {
    return new IllegalStateException(
        "JDBC session store: " + what + " failed (SQL state " + e.getSQLState() + ")", e);
  }
}
