package dev.tether.proxy.health;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.HealthConfig;
import dev.tether.proxy.config.StatusRanges;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP/1.1 request ({@code GET}, {@code HEAD} or {@code OPTIONS}) of a configured path on a
 * fresh connection ({@code Connection: close}), as HAProxy's {@code option httpchk} and nginx Plus'
 * {@code health_check} do. The server passes when its status is in {@code expect-status} (default
 * 200-399) and, with {@code expect-body}, the first {@value HealthConfig#BODY_LIMIT} bytes of the
 * (de-chunked) body contain that text; without {@code expect-body} the body is never read. The
 * {@code Host} header is the configured {@code host}, else the server's {@code ip:port}.
 *
 * <p>With {@code agent} on (the default) every response, passing or not, also yields an {@link
 * AgentReport} of its {@code Tether-State} and {@code Tether-Weight} headers. The whole probe
 * (connect, write, read) is bounded by the timeout. Blocking: run it on a virtual thread.
 */
public final class HttpHealthProbe implements HealthProbe {

  /** The longest status line read; a longer one fails the probe. */
  static final int MAX_STATUS_LINE = HealthResponse.MAX_LINE;

  private final HealthConfig config;
  private final byte[] expectBody;

  /** TLS to the servers, or {@code null} for cleartext. */
  private final dev.tether.proxy.tls.BackendTls tls;

  /** The PROXY protocol header each probe connection starts with, or {@code null}. */
  private final byte[] proxyPreamble;

  /** A {@code GET} of {@code path}, which starts with {@code /}, passing on 200-399. */
  public HttpHealthProbe(String path) {
    this(new HealthConfig(checkPath(path), Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
  }

  /** The HTTP check {@code config} describes. */
  public HttpHealthProbe(HealthConfig config) {
    this(config, null);
  }

  /** The HTTP check {@code config} describes, over TLS when {@code tls} is not {@code null}. */
  public HttpHealthProbe(HealthConfig config, dev.tether.proxy.tls.BackendTls tls) {
    this(config, tls, null);
  }

  /**
   * As above, each probe connection starting with a PROXY header naming no client when {@code
   * sendProxy} is set.
   */
  public HttpHealthProbe(
      HealthConfig config,
      dev.tether.proxy.tls.BackendTls tls,
      dev.tether.proxy.config.ConnectionsConfig.ProxyProtocolVersion sendProxy) {
    requireNonNull(config, "config");
    this.tls = tls;
    this.proxyPreamble =
        sendProxy == null ? null : dev.tether.proxy.backend.ProxyHeader.local(sendProxy);
    if (config.kind() != HealthConfig.Kind.HTTP) {
      throw new IllegalArgumentException("not an HTTP check: kind " + config.kind());
    }
    checkPath(config.path());
    this.config = config;
    this.expectBody =
        config.expectBody() == null ? null : config.expectBody().getBytes(StandardCharsets.UTF_8);
  }

  private static String checkPath(String path) {
    requireNonNull(path, "path");
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      throw new IllegalArgumentException(
          "health check path '"
              + path
              + "' must start with / and hold no spaces or control characters");
    }
    return path;
  }

  @Override
  public Result probe(InetSocketAddress address, Duration timeout) {
    if (address.isUnresolved()) {
      return Result.fail("address " + address.getHostString() + " does not resolve");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket plain = new Socket()) {
      plain.connect(address, millisLeft(deadline));
      plain.setTcpNoDelay(true);
      if (proxyPreamble != null) {
        plain
            .getOutputStream()
            .write(proxyPreamble); // before TLS, as on the data plane's connections
      }
      Socket socket = plain;
      if (tls != null) {
        plain.setSoTimeout(millisLeft(deadline));
        socket = tls.wrap(plain, address);
      }
      OutputStream out = socket.getOutputStream();
      out.write(request(address).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = new BufferedInputStream(new DeadlineInput(socket, deadline), 4096);
      HealthResponse response =
          HealthResponse.read(
              in,
              expectBody == null ? 0 : HealthConfig.BODY_LIMIT,
              expectBody,
              config.method().equals("HEAD"));
      return judge(response);
    } catch (javax.net.ssl.SSLException e) {
      return Result.fail("TLS: " + e.getMessage());
    } catch (HealthResponse.BadResponse e) {
      return Result.fail(e.getMessage());
    } catch (SocketTimeoutException e) {
      return Result.fail("no answer within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      return Result.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** The request head sent to {@code address}. */
  String request(InetSocketAddress address) {
    String hostHeader = config.host();
    if (hostHeader == null) {
      String host = address.getAddress().getHostAddress();
      hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
    return config.method()
        + " "
        + config.path()
        + " HTTP/1.1\r\nHost: "
        + hostHeader
        + "\r\nUser-Agent: tether-health-check\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n";
  }

  /** Whether {@code r} passes this check, and what it asked for. */
  Result judge(HealthResponse r) {
    AgentReport agent =
        config.agent()
            ? AgentReport.parse(
                r.header(AgentReport.STATE_HEADER), r.header(AgentReport.WEIGHT_HEADER))
            : null;
    if (!config.expectStatus().matches(r.status())) {
      String expected =
          config.expectStatus().equals(StatusRanges.DEFAULT)
              ? ""
              : " (expected " + config.expectStatus() + ")";
      return new Result(false, "HTTP " + r.status() + expected, agent);
    }
    if (expectBody != null && HealthResponse.indexOf(r.body(), expectBody) < 0) {
      return new Result(
          false,
          "HTTP "
              + r.status()
              + " but the first "
              + r.body().length
              + " bytes of the body lack '"
              + HealthResponse.printable(config.expectBody())
              + "'",
          agent);
    }
    return new Result(true, "HTTP " + r.status(), agent);
  }

  private static int millisLeft(long deadline) throws SocketTimeoutException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return (int) Math.min(Integer.MAX_VALUE, left);
  }

  /** A socket's input whose every read waits only until the probe's deadline. */
  private static final class DeadlineInput extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private final long deadline;

    DeadlineInput(Socket socket, long deadline) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.deadline = deadline;
    }

    @Override
    public int read() throws IOException {
      socket.setSoTimeout(millisLeft(deadline));
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      socket.setSoTimeout(millisLeft(deadline));
      return in.read(b, off, len);
    }
  }
}
