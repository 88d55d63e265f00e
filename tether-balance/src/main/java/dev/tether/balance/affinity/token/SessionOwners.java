package dev.tether.balance.affinity.token;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Tether-Session-Owners} header an app instance sends (DESIGN §8): server names of the
 * pool, primary first, separated by commas, e.g. {@code s2, s3}.
 */
public final class SessionOwners {

  /** The header's name. */
  public static final String HEADER = "Tether-Session-Owners";

  private SessionOwners() {}

  /**
   * The owners named by {@code value}, in order, without blanks or repeats, at most {@link
   * TokenCodec#MAX_OWNERS}; {@code null} when {@code value} is {@code null} or names nobody, or a
   * name is not 1..64 letters, digits, {@code . _ -} (such a header is ignored, not trusted in
   * part).
   */
  public static List<String> parse(String value) {
    if (value == null) {
      return null;
    }
    List<String> out = new ArrayList<>(2);
    int start = 0;
    int n = value.length();
    while (start <= n) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? n : comma;
      String name = value.substring(start, end).trim();
      if (!name.isEmpty()) {
        if (!valid(name)) {
          return null;
        }
        if (!out.contains(name) && out.size() < TokenCodec.MAX_OWNERS) {
          out.add(name);
        }
      }
      start = end + 1;
    }
    return out.isEmpty() ? null : List.copyOf(out);
  }

  private static boolean valid(String name) {
    if (name.length() > 64) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '.'
          || c == '_'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
