package dev.tether.proxy;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * The peers whose {@code X-Forwarded-*} and {@code Forwarded} headers Tether believes. Headers from
 * any other peer are replaced, not extended.
 */
public final class TrustedProxies {

  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  private final List<Predicate<InetAddress>> ranges;

  /**
   * @param ranges address ranges (for example CIDR blocks) of trusted proxies
   */
  public TrustedProxies(List<? extends Predicate<InetAddress>> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  public boolean isTrusted(InetAddress peer) {
    if (peer == null) {
      return false;
    }
    for (Predicate<InetAddress> r : ranges) {
      if (r.test(peer)) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }
}
