package dev.tether.session.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HexFormat;

/**
 * The principal index key: the SHA-256 of the principal name as 64 hex digits. Indexing the hash
 * rather than the name lets a name of any length and any characters be indexed the same way in
 * every database, and compares byte for byte even where the database's collation would fold case;
 * the store still compares the stored name itself before answering.
 */
final class PrincipalKey {

  private PrincipalKey() {}

  static String hash(String principal) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(principal.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Binds {@code principal} (or NULL) at {@code index} and its key at {@code index + 1}. */
  static void bind(PreparedStatement ps, int index, String principal) throws SQLException {
    if (principal == null) {
      ps.setNull(index, Types.VARCHAR);
      ps.setNull(index + 1, Types.CHAR);
    } else {
      ps.setString(index, principal);
      ps.setString(index + 1, hash(principal));
    }
  }
}
