package dev.tether.session.spi;

import java.util.List;
import java.util.Optional;

/**
 * A store whose sessions travel with the client, sealed in cookies, instead of living on a server.
 * The servlet filter recognises it: at request start it hands the request's session cookies to
 * {@link #receive}, which opens them and returns the session id sealed inside; the manager then
 * works by that id as with any store; before the response commits the filter asks {@link
 * #cookieValues} for what to send back; at the end of the request it calls {@link #release}.
 *
 * <p>Between {@code receive} (or a {@code create}) and {@code release} the store keeps the sealed
 * value of that id in memory, shared by the requests holding it; nothing is kept after the last
 * release. Thread-safe.
 *
 * <pre>{@code
 * Optional<String> id = store.receive(List.of(cookie0, cookie1));   // NAME, NAME.1
 * // ... manager.open(id), manager.commit(session) ...
 * List<String> values = store.cookieValues(session.id());          // Set-Cookie NAME, NAME.1, ...
 * store.release(session.id());
 * }</pre>
 */
public interface ClientSideStore extends SessionStore {

  /**
   * The cookie name the sealed value is split under: values go to {@code NAME}, {@code NAME.1},
   * {@code NAME.2}, ... The filter's session cookie must have this name.
   */
  String cookieName();

  /**
   * Opens the session the client sent and holds its sealed value for this request.
   *
   * @param values the values of the cookies {@code NAME}, {@code NAME.1}, ... in order, as sent
   * @return the session id sealed inside, or empty when the values are missing, tampered with,
   *     sealed under an unknown key, expired or revoked (nothing is held then)
   */
  Optional<String> receive(List<String> values);

  /**
   * The cookie values that carry session {@code id} now, for {@code NAME}, {@code NAME.1}, ... in
   * order; empty when the id holds no live session (deleted, rotated away or never created).
   */
  List<String> cookieValues(String id);

  /**
   * Ends one request's hold on {@code id} (taken by {@link #receive}, {@link #create} or a {@link
   * #rotateId} to it); the value is dropped from memory when no request holds it. Unknown ids are
   * ignored.
   */
  void release(String id);
}
