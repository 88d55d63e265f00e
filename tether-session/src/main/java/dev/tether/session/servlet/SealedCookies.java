package dev.tether.session.servlet;

import dev.tether.session.spi.ClientSideStore;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request's session cookies when the store is a {@link ClientSideStore}: the sealed session
 * travels in {@code NAME}, {@code NAME.1}, ... instead of an id. At request start the cookies go to
 * {@link ClientSideStore#receive}; after each save the store's current values are sent when they
 * differ from what the client holds (cookies the session no longer needs are expired); at the end
 * every id this request held is released. A save the store refuses (a session too large for its
 * cookies) changes no value, so the response carries no new cookie and the client keeps the
 * previous session. Changes saved after the response committed cannot reach the client.
 */
final class SealedCookies {

  private final ClientSideStore store;
  private final SessionCookie cookie;
  private final String receivedId;
  private final boolean presented;
  private final Set<String> held = new LinkedHashSet<>();
  private List<String> sent;
  private boolean released;

  SealedCookies(ClientSideStore store, SessionCookie cookie, Enumeration<String> cookieHeaders) {
    this.store = store;
    this.cookie = cookie;
    Map<String, String> all = parse(cookieHeaders);
    List<String> values = new ArrayList<>();
    for (int i = 0; all.containsKey(nameOf(i)); i++) {
      values.add(all.get(nameOf(i)));
    }
    this.presented = !values.isEmpty();
    this.sent = List.copyOf(values);
    this.receivedId = presented ? store.receive(values).orElse(null) : null;
    if (receivedId != null) {
      held.add(receivedId);
    }
  }

  /** The id sealed in the request's cookies, or {@code null}. */
  String receivedId() {
    return receivedId;
  }

  /** Whether the request carried session cookies at all (valid or not). */
  boolean presented() {
    return presented;
  }

  /** Notes that this request holds {@code id} (it created it or rotated to it). */
  synchronized void track(String id) {
    held.add(id);
  }

  /** Sends {@code id}'s current sealed values if the client does not hold them yet. */
  synchronized void write(HttpServletResponse response, String id) {
    held.add(id);
    List<String> now = store.cookieValues(id);
    if (now.isEmpty() || now.equals(sent) || response.isCommitted()) {
      return;
    }
    for (int i = 0; i < now.size(); i++) {
      response.addHeader("Set-Cookie", cookie.setCookie(nameOf(i), now.get(i)));
    }
    for (int i = now.size(); i < sent.size(); i++) {
      response.addHeader("Set-Cookie", cookie.expireCookie(nameOf(i)));
    }
    sent = now;
    response.setHeader("Cache-Control", "no-store");
  }

  /** Expires every session cookie the client holds (logout, or cookies that did not open). */
  synchronized void expire(HttpServletResponse response) {
    if (response.isCommitted()) {
      return;
    }
    for (int i = 0; i < Math.max(1, sent.size()); i++) {
      response.addHeader("Set-Cookie", cookie.expireCookie(nameOf(i)));
    }
    sent = List.of();
  }

  /** Ends this request's hold on every id it held; later calls do nothing. */
  synchronized void release() {
    if (released) {
      return;
    }
    released = true;
    held.forEach(store::release);
  }

  private String nameOf(int index) {
    return index == 0 ? cookie.name() : cookie.name() + "." + index;
  }

  private static Map<String, String> parse(Enumeration<String> headers) {
    Map<String, String> all = new HashMap<>();
    while (headers != null && headers.hasMoreElements()) {
      for (String part : headers.nextElement().split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          all.putIfAbsent(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
      }
    }
    return all;
  }
}
