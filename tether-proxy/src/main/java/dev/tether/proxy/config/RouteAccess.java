package dev.tether.proxy.config;

import java.net.InetAddress;
import java.util.List;

/**
 * A route's access rule ({@code routes[i].access}): which client addresses may use it. The client
 * address is the one the trusted-proxy rules resolve ({@code X-Forwarded-For} or the PROXY protocol
 * from a trusted proxy, the peer otherwise).
 *
 * <p>A client in {@code deny} is refused; otherwise, when {@code allow} is not empty, a client in
 * none of its ranges is refused; everyone else passes. So {@code deny} carves exceptions out of
 * {@code allow}, as in nginx's {@code deny 10.0.5.0/24; allow 10.0.0.0/8; deny all;}.
 *
 * @param allow ranges that may use the route; empty for any address
 * @param deny ranges that may not, whatever {@code allow} says
 */
public record RouteAccess(List<Cidr> allow, List<Cidr> deny) {

  public RouteAccess {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
  }

  /** Whether {@code client} may use the route. */
  public boolean permits(InetAddress client) {
    for (Cidr c : deny) {
      if (c.contains(client)) {
        return false;
      }
    }
    if (allow.isEmpty()) {
      return true;
    }
    for (Cidr c : allow) {
      if (c.contains(client)) {
        return true;
      }
    }
    return false;
  }
}
