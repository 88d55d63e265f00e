package dev.tether.proxy.analytics;

import dev.tether.balance.ServerState;
import java.time.Duration;
import java.util.Map;

/**
 * What alert rules read of one pool. Figures are those of the latest sampling; {@code NaN} means
 * not known (too little history, nothing scraped), which a rule treats as "no change".
 */
public interface PoolSignals {

  /** The pool's name. */
  String pool();

  /** New affinity keys per second over the last {@code window}; {@code NaN} when unknown. */
  double birthRate(Duration window);

  /** Max / mean of live sessions over servers taking work; {@code NaN} when there are none. */
  double imbalance();

  /**
   * Share of 5xx answers over the last {@code window}; {@code NaN} when no request was answered.
   */
  double errorShare(Duration window);

  /** Each server's state, in configuration order. */
  Map<String, ServerState> states();

  /** Each scraped server's p99 session size in bytes; servers not scraped are absent. */
  Map<String, Double> sessionSizeP99();
}
