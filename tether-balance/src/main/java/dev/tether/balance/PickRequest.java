package dev.tether.balance;

/**
 * What a picker may look at in a request: the parts that hash-based algorithms use as keys. The
 * data plane implements it over the decoded request; every method may return {@code null} when the
 * part is absent. Implementations need not be thread-safe: a request is picked on one thread.
 */
public interface PickRequest {

  /** A request with no attributes, for algorithms that do not look at the request. */
  PickRequest EMPTY = new PickRequest() {};

  /** The client address as resolved by the trusted-proxy rules, e.g. {@code 203.0.113.7}. */
  default String clientAddress() {
    return null;
  }

  /** The request path without the query, e.g. {@code /cart}. */
  default String path() {
    return null;
  }

  /** The raw query string without the {@code ?}, or {@code null}. */
  default String query() {
    return null;
  }

  /** The first value of a request header (case-insensitive name). */
  default String header(String name) {
    return null;
  }

  /** The value of a request cookie. */
  default String cookie(String name) {
    return null;
  }
}
