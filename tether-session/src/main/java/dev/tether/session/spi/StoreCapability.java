package dev.tether.session.spi;

/**
 * An optional part of the {@link SessionStore} contract. A store that lacks one says so in {@link
 * SessionStore#capabilities()}, and the matching operation throws {@link
 * UnsupportedOperationException} with a message saying why, never a silently wrong answer; the
 * contract suite checks exactly that.
 */
public enum StoreCapability {
  /** {@link SessionStore#findByPrincipal} lists the sessions of a principal. */
  PRINCIPAL_INDEX,
  /** {@link SessionStore#sweepExpired} claims expired sessions, so expiry events can fire. */
  EXPIRY_SWEEP
}
