package dev.tether.session.spring.boot;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Explains a start-up stopped by a bad {@code tether.session.*} property or an unreachable store.
 */
public final class TetherSessionFailureAnalyzer implements FailureAnalyzer {

  @Override
  public FailureAnalysis analyze(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof InvalidSessionPropertyException e) {
        return new FailureAnalysis("tether-session cannot start: " + e.getMessage(), e.action(), e);
      }
      if (t instanceof SessionStoreUnavailableException e) {
        return new FailureAnalysis(
            "tether-session cannot start: " + e.getMessage(),
            "Start the "
                + e.store()
                + " store or correct tether.session.store.* (the application does not"
                + " fall back to local sessions).",
            e);
      }
    }
    return null;
  }
}
