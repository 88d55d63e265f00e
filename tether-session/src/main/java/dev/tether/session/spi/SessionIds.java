package dev.tether.session.spi;

import static java.util.Objects.requireNonNull;

/**
 * The shape every store may rely on for a session id: 1 to 128 characters of the URL-safe base64
 * alphabet ({@code A-Z a-z 0-9 - _}), so an id is safe as a file name, a Redis key suffix and a SQL
 * parameter, and never needs escaping in a cookie.
 */
public final class SessionIds {

  /** The longest id a store must accept. */
  public static final int MAX_LENGTH = 128;

  private SessionIds() {}

  /**
   * Returns {@code id} if it has the allowed shape.
   *
   * @throws IllegalArgumentException naming what is wrong and what is allowed (the id itself is not
   *     echoed, ids are secrets)
   */
  public static String requireValid(String id) {
    requireNonNull(id, "id");
    if (!isValid(id)) {
      throw new IllegalArgumentException(
          "session id of length "
              + id.length()
              + " is not 1.."
              + MAX_LENGTH
              + " characters of A-Z a-z 0-9 - _");
    }
    return id;
  }

  /** Whether {@code id} has the allowed shape; {@code null} is not valid. */
  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
