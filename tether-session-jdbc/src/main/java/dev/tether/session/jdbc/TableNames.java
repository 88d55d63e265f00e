package dev.tether.session.jdbc;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The store's table and index names: a validated prefix followed by fixed names. The prefix is
 * pasted into SQL, so it is restricted to a plain identifier that no database needs to quote.
 *
 * @param prefix empty, or a letter followed by up to 29 letters, digits or underscores
 */
record TableNames(String prefix) {

  /** The longest prefix, so every name stays within PostgreSQL's 63 and MySQL's 64 characters. */
  static final int MAX_PREFIX = 30;

  private static final Pattern PREFIX =
      Pattern.compile("([A-Za-z][A-Za-z0-9_]{0," + (MAX_PREFIX - 1) + "})?");

  TableNames {
    requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "table prefix '"
              + prefix
              + "' is not allowed: use nothing, or a letter followed by up to "
              + (MAX_PREFIX - 1)
              + " letters, digits or underscores (e.g. 'tether_'); to use another schema, set it"
              + " in the JDBC URL");
    }
  }

  String sessions() {
    return prefix + "sessions";
  }

  String attributes() {
    return prefix + "session_attributes";
  }

  String schemaVersion() {
    return prefix + "session_schema";
  }

  String expiryIndex() {
    return prefix + "sessions_expiry_idx";
  }

  String principalIndex() {
    return prefix + "sessions_principal_idx";
  }

  String idConstraint() {
    return prefix + "sessions_id_uk";
  }
}
