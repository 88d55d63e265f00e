package dev.tether.proxy.frontend;

import dev.tether.balance.PickRequest;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.route.Upstream;
import java.util.HashMap;
import java.util.Map;

/**
 * The affinity state of one client connection: the server its unbound requests follow and, for an
 * HTTP/2 connection, the first new binding of each pool, which every later stream without a cookie
 * reuses.
 *
 * <p>Design note: a browser opening an HTTP/2 connection sends its first requests as concurrent
 * streams before any cookie exists (haproxy/haproxy#2295). Each stream is an exchange of its own,
 * so each would be balanced and given a token of its own: different servers, or one server with
 * several session cookies racing in the browser. Sharing this object between the streams of a
 * connection makes them single-flight: the first decision pins the server and its Set-Cookie is the
 * one every concurrent first stream carries. All streams of a connection run on its event loop, so
 * plain fields suffice.
 */
final class ConnectionAffinity {

  private final boolean shareFirst;

  /** The server the last unbound request of this connection went to; unbound requests follow it. */
  String pin;

  private Map<String, AffinityDecision> first;

  /** {@code shareFirst}: reuse a pool's first new binding (HTTP/2 streams). */
  ConnectionAffinity(boolean shareFirst) {
    this.shareFirst = shareFirst;
  }

  /** The decision for {@code request} on {@code up}; pins the connection to its server. */
  AffinityDecision decide(AffinityPolicy policy, Upstream up, PickRequest request) {
    AffinityDecision d = policy.decide(request, up.pool().snapshot(), pin);
    if (shareFirst
        && d.outcome() == AffinityOutcome.NEW
        && d.member() != null
        && d.setCookie() != null) {
      if (first == null) {
        first = new HashMap<>(2);
      }
      AffinityDecision f = first.get(up.name());
      if (f != null && f.member().name().equals(d.member().name())) {
        d = f;
      } else {
        first.put(up.name(), d);
      }
    }
    if (d.member() != null) {
      pin = d.member().name();
    }
    return d;
  }
}
