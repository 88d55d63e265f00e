package dev.tether.session.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;

/**
 * A connection whose every statement gets {@link Statement#setQueryTimeout}: the database cancels a
 * statement still running after that many seconds (a lock wait, a slow disk), and the driver's
 * socket timeout, set a little longer by the provider, ends a wait on a server that no longer
 * answers at all. Wrapping here covers every statement the store prepares, so none can forget it.
 */
final class QueryTimeouts {

  private QueryTimeouts() {}

  /** Whole seconds, rounded up (what {@code Statement#setQueryTimeout} takes). */
  static int seconds(java.time.Duration d) {
    java.util.Objects.requireNonNull(d, "queryTimeout");
    long ms = d.toMillis();
    return ms <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (ms + 999) / 1000);
  }

  /** {@code c} with statements limited to {@code seconds}; {@code c} itself when 0 (no limit). */
  static Connection wrap(Connection c, int seconds) {
    if (seconds <= 0) {
      return c;
    }
    InvocationHandler h = (proxy, method, args) -> invoke(c, seconds, method, args);
    return (Connection)
        Proxy.newProxyInstance(
            QueryTimeouts.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
  }

  private static Object invoke(Connection c, int seconds, Method method, Object[] args)
      throws Throwable {
    Object result;
    try {
      result = method.invoke(c, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
    if (result instanceof Statement s) {
      s.setQueryTimeout(seconds);
    }
    return result;
  }
}
