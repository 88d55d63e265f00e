package dev.tether.balance.hash;

import dev.tether.balance.PickRequest;

/** What part of a request a hash balancer hashes; {@code null} when the request lacks it. */
enum HashKey {
  /** The client address as resolved by the trusted-proxy rules. */
  IP("ip-hash") {
    @Override
    String extract(PickRequest r, String name, boolean withQuery) {
      return r.clientAddress();
    }
  },
  /** The path, optionally with {@code ?query}. */
  URI("uri-hash") {
    @Override
    String extract(PickRequest r, String name, boolean withQuery) {
      String path = r.path();
      if (path == null || !withQuery) {
        return path;
      }
      String query = r.query();
      return query == null ? path : path + '?' + query;
    }
  },
  /** A named request header. */
  HEADER("header-hash") {
    @Override
    String extract(PickRequest r, String name, boolean withQuery) {
      return r.header(name);
    }
  },
  /** A named request cookie. */
  COOKIE("cookie-hash") {
    @Override
    String extract(PickRequest r, String name, boolean withQuery) {
      return r.cookie(name);
    }
  };

  private final String algorithm;

  HashKey(String algorithm) {
    this.algorithm = algorithm;
  }

  /** The algorithm name in configuration. */
  String algorithm() {
    return algorithm;
  }

  /** Whether the key needs {@code hash-name}. */
  boolean named() {
    return this == HEADER || this == COOKIE;
  }

  abstract String extract(PickRequest request, String name, boolean withQuery);
}
