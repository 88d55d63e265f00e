package dev.tether.proxy.alert;

import java.time.Instant;

/** Hears of every alert that fires and of its resolution, exactly once each. Must not block. */
public interface AlertNotifier {

  /** {@code alert} fired at {@code at}. */
  void fired(Alert alert, Instant at);

  /** {@code alert} resolved at {@code at}. */
  void resolved(Alert alert, Instant at);

  /** Releases what it holds. */
  default void close() {}
}
