package dev.tether.proxy.health;

import java.net.InetSocketAddress;
import java.time.Duration;

/** Checks one server once; blocking, called on a virtual thread. */
@FunctionalInterface
public interface HealthProbe {

  /** The outcome of one probe: passed or not, and a short reason for the log. */
  record Result(boolean passed, String detail) {

    public static Result pass(String detail) {
      return new Result(true, detail);
    }

    public static Result fail(String detail) {
      return new Result(false, detail);
    }
  }

  /**
   * Probes the server at {@code address} within {@code timeout}; never throws for a failure of the
   * server (refused, reset, timed out, bad answer): those are failed results.
   */
  Result probe(InetSocketAddress address, Duration timeout);
}
