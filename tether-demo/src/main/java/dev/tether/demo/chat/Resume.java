package dev.tether.demo.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A managed WebSocket continued on this instance after its previous one was lost, as the balancer
 * says in {@code Tether-WebSocket-Resume: <id>; received=<n>; sent=<n>}.
 *
 * @param id the connection id (also in {@code Tether-WebSocket-Id})
 * @param received messages of the client the balancer forwarded to instances so far
 * @param sent messages of instances the balancer delivered to the client so far
 */
public record Resume(String id, long received, long sent) {

  /** The form of a connection id: 256 bits in URL-safe Base64. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");

  private static final Pattern HEADER =
      Pattern.compile(
          "\\s*([A-Za-z0-9_-]{43})\\s*;\\s*received=(\\d{1,18})\\s*;\\s*sent=(\\d{1,18})\\s*");

  /** The header's value parsed, or {@code null} when absent or malformed. */
  public static Resume parse(String header) {
    if (header == null) {
      return null;
    }
    Matcher m = HEADER.matcher(header);
    return m.matches()
        ? new Resume(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)))
        : null;
  }

  /** {@code header} when it is a well-formed connection id, else {@code null}. */
  public static String id(String header) {
    return header != null && ID.matcher(header).matches() ? header : null;
  }
}
