package dev.tether.proxy.frontend;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Header rewriting per RFC 9110 §7.6: hop-by-hop headers (and those named in {@code Connection})
 * are removed in both directions; requests get {@code X-Forwarded-For/-Proto/-Host}, {@code
 * Forwarded} (RFC 7239) and {@code Via}; responses get {@code Via}. Forwarding headers from an
 * untrusted peer are replaced, never extended, so a client cannot forge its address. The headers
 * the balancer and its application instances tell each other ({@link #BALANCER_HEADERS}) are
 * removed from client requests and from responses, so a client can neither set nor see them.
 */
final class ForwardingHeaders {

  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  static final AsciiString FORWARDED = AsciiString.cached("forwarded");
  static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  static final AsciiString VIA_VALUE = AsciiString.cached("1.1 tether");
  static final AsciiString HTTP = AsciiString.cached("http");
  static final AsciiString HTTPS = AsciiString.cached("https");

  /**
   * Between the balancer and the application instances only: session owners and the binding a
   * request arrived under (for failover and the near cache), a managed WebSocket's id and resume,
   * and the agent feedback of health responses.
   */
  static final List<AsciiString> BALANCER_HEADERS =
      List.of(
          AsciiString.cached("tether-session-owners"),
          AsciiString.cached("tether-binding"),
          AsciiString.cached("tether-websocket-resume"),
          AsciiString.cached("tether-websocket-id"),
          AsciiString.cached("tether-weight"),
          AsciiString.cached("tether-state"));

  private ForwardingHeaders() {}

  /**
   * Adds to {@code named} (made if {@code null}) the header names a {@code Connection} value lists
   * besides {@code close}, {@code keep-alive} and {@code upgrade}, and returns it. Scans the value
   * in place: the usual {@code keep-alive} or {@code close} costs no allocation.
   */
  static List<String> connectionOptions(String value, List<String> named) {
    int n = value.length();
    for (int i = 0; i <= n; ) {
      int comma = value.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int from = i;
      int to = end;
      while (from < to && value.charAt(from) <= ' ') { // as String.trim
        from++;
      }
      while (to > from && value.charAt(to - 1) <= ' ') {
        to--;
      }
      if (to > from
          && !token(value, from, to, "close")
          && !token(value, from, to, "keep-alive")
          && !token(value, from, to, "upgrade")) {
        if (named == null) {
          named = new ArrayList<>(2);
        }
        named.add(value.substring(from, to));
      }
      i = end + 1;
    }
    return named;
  }

  private static boolean token(String value, int from, int to, String token) {
    return to - from == token.length() && value.regionMatches(true, from, token, 0, token.length());
  }

  /**
   * Removes hop-by-hop headers and the balancer's own ({@link #BALANCER_HEADERS}). Framing headers
   * ({@code Transfer-Encoding}) stay: the encoder on the other side frames the body by them and
   * rewrites them for its own hop. For an upgrade request or a 101 response, {@code Upgrade} and
   * {@code Connection: upgrade} are kept.
   */
  static void stripHopByHop(HttpHeaders h, boolean keepUpgrade) {
    List<String> named = null;
    if (h.contains(HttpHeaderNames.CONNECTION)) {
      for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
        named = connectionOptions(v, named);
      }
    }
    if (named != null) {
      for (String n : named) {
        if (!n.equalsIgnoreCase("transfer-encoding") && !n.equalsIgnoreCase("content-length")) {
          h.remove(n);
        }
      }
    }
    h.remove(HttpHeaderNames.CONNECTION);
    h.remove(HttpHeaderNames.KEEP_ALIVE);
    h.remove(PROXY_CONNECTION);
    h.remove(HttpHeaderNames.TE);
    h.remove(HttpHeaderNames.TRAILER);
    h.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
    h.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
    for (int i = 0; i < BALANCER_HEADERS.size(); i++) {
      h.remove(BALANCER_HEADERS.get(i));
    }
    if (keepUpgrade) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    } else {
      h.remove(HttpHeaderNames.UPGRADE);
    }
  }

  /**
   * Whether a request asks to switch protocols ({@code Connection: upgrade} and {@code Upgrade}).
   * An upgrade to {@code h2c} is not one: HTTP/2 in cleartext is spoken with prior knowledge only
   * (RFC 9113 deprecated the upgrade), and a backend that took it would answer in HTTP/2 on a
   * pooled HTTP/1.1 connection; such a request is served in HTTP/1.1 with the header removed.
   */
  static boolean isUpgrade(HttpMessage m) {
    HttpHeaders h = m.headers();
    String protocol = h.get(HttpHeaderNames.UPGRADE);
    return protocol != null
        && !protocol.trim().regionMatches(true, 0, "h2c", 0, 3)
        && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
  }

  /**
   * Sets the forwarding headers of a request about to go upstream.
   *
   * @param forwardedFor this hop's {@code Forwarded} element up to the host, as {@link
   *     #forwardedFor} makes it for the connection
   * @param client the client's address, as {@code X-Forwarded-For} names it
   * @param scheme {@code https} on a TLS listener, {@code http} otherwise
   * @param trusted whether the peer is a trusted proxy (its headers are extended, not replaced)
   * @param host the request's Host as received
   */
  static void addForwarding(
      HttpHeaders h,
      String forwardedFor,
      String client,
      AsciiString scheme,
      boolean trusted,
      String host) {
    if (trusted) {
      String xff = h.get(X_FORWARDED_FOR);
      h.set(X_FORWARDED_FOR, xff == null || xff.isBlank() ? client : xff + ", " + client);
      if (!h.contains(X_FORWARDED_PROTO)) {
        h.set(X_FORWARDED_PROTO, scheme);
      }
      if (!h.contains(X_FORWARDED_HOST) && host != null) {
        h.set(X_FORWARDED_HOST, host);
      }
      String fwd = h.get(FORWARDED);
      String mine = forwardedElement(forwardedFor, host);
      h.set(FORWARDED, fwd == null || fwd.isBlank() ? mine : fwd + ", " + mine);
    } else {
      h.set(X_FORWARDED_FOR, client);
      h.set(X_FORWARDED_PROTO, scheme);
      if (host != null) {
        h.set(X_FORWARDED_HOST, host);
      } else {
        h.remove(X_FORWARDED_HOST);
      }
      h.set(FORWARDED, forwardedElement(forwardedFor, host));
    }
    h.add(HttpHeaderNames.VIA, VIA_VALUE);
  }

  /**
   * The part of a {@code Forwarded} element (RFC 7239) that is the same for every request of a
   * connection: {@code for=} the peer (an IPv6 address quoted in brackets, {@code unknown} when
   * there is none) and {@code ;proto=} the scheme.
   */
  static String forwardedFor(InetAddress peer, AsciiString scheme) {
    String node;
    if (peer == null) {
      node = "unknown";
    } else if (peer instanceof Inet6Address) {
      node = "\"[" + peer.getHostAddress() + "]\"";
    } else {
      node = peer.getHostAddress();
    }
    return "for=" + node + ";proto=" + scheme;
  }

  private static String forwardedElement(String forwardedFor, String host) {
    if (host == null) {
      return forwardedFor;
    }
    if (isToken(host)) {
      return forwardedFor + ";host=" + host;
    }
    return forwardedFor + ";host=\"" + host.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c)
          || c == '.'
          || c == '-'
          || c == '_'
          || c == '~'
          || c == '!')) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /**
   * Prepares a backend response for the client: hop-by-hop headers removed, {@code Via} added,
   * keep-alive set for the client's side.
   *
   * @return whether the body must be delimited by closing the connection (an HTTP/1.0 client cannot
   *     take a chunked body)
   */
  static boolean prepareResponse(
      HttpResponse r, HttpVersion clientVersion, boolean clientKeepAlive) {
    HttpHeaders h = r.headers();
    boolean upgrade = r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
    stripHopByHop(h, upgrade);
    h.add(HttpHeaderNames.VIA, VIA_VALUE);
    boolean closeDelimited = false;
    if (clientVersion == HttpVersion.HTTP_1_0) {
      r.setProtocolVersion(HttpVersion.HTTP_1_0);
      if (HttpUtil.isTransferEncodingChunked(r)) {
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        closeDelimited = true;
      }
    } else {
      r.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    if (upgrade) {
      return false;
    }
    boolean keep = clientKeepAlive && !closeDelimited;
    if (clientVersion == HttpVersion.HTTP_1_0) {
      if (keep) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
    } else if (!keep) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return closeDelimited;
  }
}
