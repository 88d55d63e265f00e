package dev.tether.proxy.config;

/** Syntax checks for DNS host names (RFC 1123), without lookups. */
public final class HostNames {

  private HostNames() {}

  /** Whether {@code name} is a syntactically valid host name. */
  public static boolean isValid(String name) {
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    String trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    for (String label : trimmed.split("\\.", -1)) {
      if (!isLabel(label)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLabel(String label) {
    if (label.isEmpty()
        || label.length() > 63
        || label.charAt(0) == '-'
        || label.charAt(label.length() - 1) == '-') {
      return false;
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
