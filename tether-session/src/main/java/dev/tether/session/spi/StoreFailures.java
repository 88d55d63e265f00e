package dev.tether.session.spi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeoutException;

/**
 * Tells an outage of a store's backend (unreachable, too slow, out of resources, shutting down)
 * from a refusal of one call (a bad argument, an unsupported operation, a limit), for {@link
 * SessionStore#isOutage}'s default.
 */
public final class StoreFailures {

  private static final int MAX_DEPTH = 32;

  private StoreFailures() {}

  /**
   * Whether {@code failure} is an outage: an {@link IOException} (connection refused or reset, a
   * socket timeout, a full disk, a permission denied), a {@link TimeoutException}, or a SQL error
   * of a connection ({@code 08…}), resource ({@code 53…}), operator-intervention ({@code 57…},
   * which includes a cancelled statement) or timeout ({@code HYT…}) class, or of one of JDBC's
   * connection and timeout types, anywhere in its cause chain. An {@link IllegalArgumentException},
   * {@link UnsupportedOperationException} or {@link NullPointerException} at the top is a refusal
   * of the call, whatever its cause.
   */
  public static boolean isOutage(Throwable failure) {
    if (failure instanceof IllegalArgumentException
        || failure instanceof UnsupportedOperationException
        || failure instanceof NullPointerException) {
      return false;
    }
    Throwable c = failure;
    for (int depth = 0; c != null && depth < MAX_DEPTH; depth++, c = c.getCause()) {
      if (c instanceof IOException
          || c instanceof UncheckedIOException
          || c instanceof TimeoutException
          || c instanceof SQLTransientConnectionException
          || c instanceof SQLNonTransientConnectionException
          || c instanceof SQLRecoverableException
          || c instanceof SQLTimeoutException) {
        return true;
      }
      if (c instanceof SQLException sql && sqlStateIsOutage(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** Connection (08), insufficient resources (53), operator intervention (57), timeout (HYT). */
  static boolean sqlStateIsOutage(String state) {
    return state != null
        && (state.startsWith("08")
            || state.startsWith("53")
            || state.startsWith("57")
            || state.startsWith("HYT"));
  }
}
