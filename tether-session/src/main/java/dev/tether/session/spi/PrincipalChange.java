package dev.tether.session.spi;

/**
 * A change of a session's principal carried by a {@link SessionDelta}: set it to {@code principal},
 * or clear it when {@code principal} is {@code null}. A delta without a {@code PrincipalChange}
 * leaves the principal as stored.
 *
 * @param principal the new principal name, or {@code null} to make the session anonymous
 */
public record PrincipalChange(String principal) {

  public PrincipalChange {
    if (principal != null && principal.isEmpty()) {
      throw new IllegalArgumentException("principal must be null (clear) or non-empty");
    }
  }

  /** Clears the principal (logout without invalidation, or privilege drop). */
  public static PrincipalChange clear() {
    return new PrincipalChange(null);
  }
}
