package dev.tether.session.memcached;

/**
 * No Memcached node that holds a key could be reached within the timeout (all of its nodes down,
 * timing out or failing), or a write could not complete on them: an outage of the store ({@link
 * MemcachedSessionStore#isOutage}), which a circuit breaker counts and rethrows as {@code
 * StoreUnavailableException}. An {@link IllegalStateException}, as the store threw before.
 */
public final class MemcachedUnavailableException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  MemcachedUnavailableException(String message) {
    super(message);
  }
}
