package dev.tether.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP and SIGUSR1 handling, where the platform offers them. */
final class Signals {

  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** What is logged when the process was started with SIGHUP ignored. */
  static final String HANGUP_IGNORED =
      "SIGHUP is ignored by this process (it was started with SIGHUP ignored, as nohup does), "
          + "so it cannot trigger a reload; use 'tether reload' or POST /api/reload on the admin API";

  @SuppressWarnings("restriction")
  static void onHangup(Runnable action) {
    try {
      sun.misc.SignalHandler previous =
          sun.misc.Signal.handle(
              new sun.misc.Signal("HUP"),
              sig -> {
                try {
                  action.run();
                } catch (RuntimeException e) {
                  log.error("reload failed", e);
                }
              });
      if (previous == sun.misc.SignalHandler.SIG_IGN) {
        // the JVM keeps a signal ignored at start-up ignored and does not install the handler
        log.warn(HANGUP_IGNORED);
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.info("SIGHUP reload is not available here: {}", e.getMessage());
    }
  }

  /** On SIGUSR1 (logrotate's convention) runs {@code action}: reopening the access log file. */
  @SuppressWarnings("restriction")
  static void onUserSignal1(Runnable action) {
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("USR1"),
          sig -> {
            try {
              action.run();
            } catch (RuntimeException e) {
              log.error("reopening the access log failed", e);
            }
          });
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.info("SIGUSR1 (reopen the access log) is not available here: {}", e.getMessage());
    }
  }
}
