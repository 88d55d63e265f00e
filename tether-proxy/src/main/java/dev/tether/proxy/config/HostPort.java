package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A host (name, IPv4 or IPv6 literal) and a port; written {@code host:port} or {@code [::1]:port}.
 *
 * @param host a host name or an IP literal, IPv6 without brackets
 * @param port 0..65535; 0 means "any free port" where listening
 */
public record HostPort(String host, int port) {

  private static final String FORMS = "use host:port or [ipv6]:port, e.g. 127.0.0.1:8080";

  public HostPort {
    requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
    }
  }

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}, without any DNS lookup.
   *
   * @throws IllegalArgumentException with a message saying what is wrong and what is allowed
   */
  public static HostPort parse(String text) {
    requireNonNull(text, "text");
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("'" + text + "' is not an address; " + FORMS);
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (!NetUtil.isValidIpV6Address(host)) {
        throw new IllegalArgumentException(
            "'" + host + "' in '" + text + "' is not an IPv6 address; " + FORMS);
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("'" + text + "' has no port; " + FORMS);
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "'" + text + "': an IPv6 address needs brackets, e.g. [::1]:8080");
      }
      checkHost(text, host);
    }
    return new HostPort(host, parsePort(text, port));
  }

  private static void checkHost(String text, String host) {
    if (host.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + text + "' has no host; use 0.0.0.0 for every interface, e.g. 0.0.0.0:8080");
    }
    if (host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
      if (!NetUtil.isValidIpV4Address(host)) {
        throw new IllegalArgumentException(
            "'" + host + "' in '" + text + "' is not an IPv4 address (four numbers 0..255)");
      }
      return;
    }
    if (!HostNames.isValid(host)) {
      throw new IllegalArgumentException(
          "'" + host + "' in '" + text + "' is not a host name (letters, digits, '-' and '.')");
    }
  }

  private static int parsePort(String text, String port) {
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "'" + port + "' in '" + text + "' is not a port; use a number 0..65535");
    }
    int value = Integer.parseInt(port);
    if (value > 65535) {
      throw new IllegalArgumentException(
          "port " + value + " in '" + text + "' is out of range 0..65535");
    }
    return value;
  }

  /** Whether the host is a loopback literal or {@code localhost} (no DNS is consulted). */
  public boolean isLoopback() {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(h);
    if (ip == null) {
      return false;
    }
    if (ip.length == 4) {
      return ip[0] == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return ip[15] == 1;
  }

  /** Whether the host is a wildcard address ({@code 0.0.0.0} or {@code ::}). */
  public boolean isWildcard() {
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null) {
      return false;
    }
    for (byte b : ip) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** A socket address for binding or connecting; resolves a host name. */
  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** {@code host:port}, with brackets around an IPv6 host. */
  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
