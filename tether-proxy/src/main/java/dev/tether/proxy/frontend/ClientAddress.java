package dev.tether.proxy.frontend;

import dev.tether.proxy.TrustedProxies;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client address as the trusted-proxy rules resolve it: the peer itself, unless the peer is a
 * trusted proxy, in which case {@code X-Forwarded-For} (or, without it, {@code Forwarded: for=},
 * RFC 7239) is read right to left and the first address that is not itself a trusted proxy is the
 * client. Headers from an untrusted peer are ignored entirely, so a client cannot spoof its
 * address. Only IP literals count; names and obfuscated identifiers ({@code for=_hidden}) end the
 * walk.
 */
final class ClientAddress {

  private ClientAddress() {}

  static String resolve(
      HttpHeaders headers, String peerAddress, boolean peerTrusted, TrustedProxies trusted) {
    if (!peerTrusted) {
      return peerAddress;
    }
    List<String> xff = headers.getAll(ForwardingHeaders.X_FORWARDED_FOR);
    String found = null;
    if (!xff.isEmpty()) {
      found = walk(String.join(",", xff).split(","), trusted, false);
    } else {
      List<String> fwd = headers.getAll(ForwardingHeaders.FORWARDED);
      if (!fwd.isEmpty()) {
        found = walk(String.join(",", fwd).split(","), trusted, true);
      }
    }
    return found == null ? peerAddress : found;
  }

  private static String walk(String[] hops, TrustedProxies trusted, boolean forwarded) {
    String last = null;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = forwarded ? forValue(hops[i]) : hops[i].trim();
      InetAddress a = hop == null ? null : literal(hop);
      if (a == null) {
        return last;
      }
      last = a.getHostAddress();
      if (!trusted.isTrusted(a)) {
        return last;
      }
    }
    return last;
  }

  /**
   * The {@code for=} value of one {@code Forwarded} element, unquoted, without port or brackets.
   */
  private static String forValue(String element) {
    for (String pair : element.split(";")) {
      String p = pair.trim();
      if (p.regionMatches(true, 0, "for=", 0, 4)) {
        String v = p.substring(4).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        if (v.startsWith("[")) {
          int end = v.indexOf(']');
          return end < 0 ? null : v.substring(1, end);
        }
        int colon = v.indexOf(':');
        return colon < 0 ? v : v.substring(0, colon);
      }
    }
    return null;
  }

  /** An IP literal as an address, never a name lookup; {@code null} for anything else. */
  static InetAddress literal(String s) {
    String v = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    if (v.isEmpty()
        || (v.indexOf(':') < 0 && !v.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"))
        || !v.matches("[0-9A-Fa-f:.%a-zA-Z]+")) {
      return null;
    }
    try {
      return InetAddress.getByName(v);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
