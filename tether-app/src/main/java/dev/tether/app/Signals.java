package dev.tether.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP handling, where the platform offers it. */
final class Signals {

  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  @SuppressWarnings("restriction")
  static void onHangup(Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
        try {
          action.run();
        } catch (RuntimeException e) {
          log.error("reload failed", e);
        }
      });
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.info("SIGHUP reload is not available here: {}", e.getMessage());
    }
  }
}
