package dev.tether.proxy.health;

import static java.util.Objects.requireNonNull;

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
 * An HTTP/1.1 {@code GET} of a configured path on a fresh connection ({@code Connection: close}):
 * the server passes when it answers with a 2xx or 3xx status line within the timeout, as HAProxy's
 * {@code option httpchk} and nginx Plus' {@code health_check} judge. Only the status line is read;
 * the body is never waited for.
 */
public final class HttpHealthProbe implements HealthProbe {

  /** The longest status line read; a longer one fails the probe. */
  static final int MAX_STATUS_LINE = 1024;

  private final String path;

  /** Probes {@code path}, which starts with {@code /}. */
  public HttpHealthProbe(String path) {
    requireNonNull(path, "path");
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      throw new IllegalArgumentException("health check path '" + path + "' must start with / and hold no spaces or control characters");
    }
    this.path = path;
  }

  @Override
  public Result probe(InetSocketAddress address, Duration timeout) {
    if (address.isUnresolved()) {
      return Result.fail("address " + address.getHostString() + " does not resolve");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket socket = new Socket()) {
      socket.connect(address, millisLeft(deadline));
      socket.setTcpNoDelay(true);
      String host = address.getAddress().getHostAddress();
      String hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: tether-health-check\r\n"
          + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String line = readStatusLine(socket, deadline);
      if (line == null) {
        return Result.fail("connection closed before a status line");
      }
      int status = statusOf(line);
      if (status < 0) {
        return Result.fail("not an HTTP status line: " + printable(line));
      }
      return status >= 200 && status < 400 ? Result.pass("HTTP " + status) : Result.fail("HTTP " + status);
    } catch (SocketTimeoutException e) {
      return Result.fail("no answer within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      return Result.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static int millisLeft(long deadline) throws SocketTimeoutException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return (int) Math.min(Integer.MAX_VALUE, left);
  }

  /** The first line, without CRLF; {@code null} if the connection closed first. */
  private static String readStatusLine(Socket socket, long deadline) throws IOException {
    InputStream in = new BufferedInputStream(socket.getInputStream(), 256);
    StringBuilder sb = new StringBuilder();
    while (true) {
      socket.setSoTimeout(millisLeft(deadline));
      int b = in.read();
      if (b < 0) {
        return sb.isEmpty() ? null : sb.toString();
      }
      if (b == '\n') {
        int end = sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r' ? sb.length() - 1 : sb.length();
        return sb.substring(0, end);
      }
      if (sb.length() >= MAX_STATUS_LINE) {
        return sb.toString();
      }
      sb.append((char) b);
    }
  }

  /** The status code of {@code HTTP/1.x NNN ...}, or -1. */
  static int statusOf(String line) {
    if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' ') {
      return -1;
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      code = code * 10 + (c - '0');
    }
    return line.length() == 12 || line.charAt(12) == ' ' ? code : -1;
  }

  private static String printable(String line) {
    String cut = line.length() > 60 ? line.substring(0, 60) + "..." : line;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
