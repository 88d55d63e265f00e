package dev.tether.proxy.health;

import dev.tether.proxy.config.HealthConfig;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Checks one server once; blocking, called on a virtual thread (never on an event loop). */
@FunctionalInterface
public interface HealthProbe {

  /**
   * The outcome of one probe: passed or not, a short reason for the log, and the agent headers of
   * the response.
   *
   * @param agent what the server's response asked for, or {@code null} when there was no HTTP
   *     response (refused, timed out, TCP check) or agent headers are off: the last report stands
   */
  record Result(boolean passed, String detail, AgentReport agent) {

    /** A result without an agent report. */
    public Result(boolean passed, String detail) {
      this(passed, detail, null);
    }

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

  /** The probe {@code config} describes: {@link TcpHealthProbe} or {@link HttpHealthProbe}. */
  static HealthProbe of(HealthConfig config) {
    return of(config, null);
  }

  /** The probe {@code config} describes, HTTP checks over {@code tls} when not {@code null}. */
  static HealthProbe of(HealthConfig config, dev.tether.proxy.tls.BackendTls tls) {
    return of(config, tls, null);
  }

  /**
   * The probe {@code config} describes; HTTP checks over {@code tls} when not {@code null}, and
   * starting with a PROXY protocol header that names no client ({@code sendProxy}, when not {@code
   * null}), since a server that expects the header refuses a connection without it.
   */
  static HealthProbe of(
      HealthConfig config,
      dev.tether.proxy.tls.BackendTls tls,
      dev.tether.proxy.config.ConnectionsConfig.ProxyProtocolVersion sendProxy) {
    return config.kind() == HealthConfig.Kind.TCP
        ? new TcpHealthProbe()
        : new HttpHealthProbe(config, tls, sendProxy);
  }
}
