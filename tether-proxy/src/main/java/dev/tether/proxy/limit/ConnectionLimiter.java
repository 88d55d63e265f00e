package dev.tether.proxy.limit;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.ClientLimits;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Decides at accept time whether a new client connection may open: open connections in total and
 * per client address, and connections accepted per second in total and per client address.
 *
 * <p>Design note. The accept rates are GCRA (the generic cell rate algorithm of ATM, ITU-T I.371),
 * a token bucket kept as one number: the theoretical arrival time {@code tat}. With emission
 * interval {@code T = 1 s / rate} and burst tolerance {@code tau = 1 s - T} (a burst of one
 * second's worth), a connection at {@code now} conforms when {@code now >= tat - tau}, and then
 * {@code tat = max(tat, now) + T}. One compare-and-set per accept, no lock, no timer. Client
 * entries exist while the client has connections open or a {@code tat} in the future; they are
 * swept when the table has doubled since the last sweep, so memory follows the live clients
 * (amortised O(1) per accept). IPv6 clients are keyed by their /64: one host usually owns a whole
 * /64 and could otherwise take a fresh address per connection.
 *
 * <p>Thread-safe: accepts come from every event loop.
 */
public final class ConnectionLimiter {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final int MIN_SWEEP = 1024;

  private final ClientLimits limits;
  private final Predicate<InetAddress> exempt;
  private final LongSupplier nanos;
  private final LimitCounters counters;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong globalTat;
  private final ConcurrentHashMap<InetAddress, Client> clients = new ConcurrentHashMap<>();
  private volatile int sweepAt = MIN_SWEEP;

  /** Per client address: connections open and the accept-rate arrival time. */
  private static final class Client {
    final AtomicInteger open = new AtomicInteger();
    final AtomicLong tat;

    Client(long now) {
      this.tat = new AtomicLong(now);
    }
  }

  /**
   * @param limits the counts and rates; 0 is unlimited
   * @param exempt client addresses the per-client limits do not apply to (trusted proxies)
   * @param nanos a monotonic clock in nanoseconds
   * @param counters where refusals are counted
   */
  public ConnectionLimiter(
      ClientLimits limits,
      Predicate<InetAddress> exempt,
      LongSupplier nanos,
      LimitCounters counters) {
    this.limits = requireNonNull(limits, "limits");
    this.exempt = requireNonNull(exempt, "exempt");
    this.nanos = requireNonNull(nanos, "nanos");
    this.counters = requireNonNull(counters, "counters");
    this.globalTat = new AtomicLong(nanos.getAsLong());
  }

  /**
   * Admits a connection from {@code address} or says why not. An admitted connection must be {@link
   * #release released} exactly once when it closes; a refused one must not.
   *
   * @param address the client's address; {@code null} (not an IP connection) only counts globally
   * @return {@code null} when admitted, else the limit that refused it (already counted)
   */
  public LimitCounters.Reason admit(InetAddress address) {
    long now = nanos.getAsLong();
    LimitCounters.Reason refused = admitGlobal(now);
    if (refused == null && address != null && perClient() && !exempt.test(address)) {
      refused = admitClient(key(address), now);
      if (refused != null) {
        open.decrementAndGet();
      }
    }
    if (refused != null) {
      counters.increment(refused);
    }
    return refused;
  }

  private LimitCounters.Reason admitGlobal(long now) {
    if (limits.maxAcceptRate() > 0 && !conforms(globalTat, limits.maxAcceptRate(), now)) {
      return LimitCounters.Reason.ACCEPT_RATE;
    }
    int n = open.incrementAndGet();
    if (limits.maxConnections() > 0 && n > limits.maxConnections()) {
      open.decrementAndGet();
      return LimitCounters.Reason.CONNECTIONS;
    }
    return null;
  }

  private LimitCounters.Reason admitClient(InetAddress key, long now) {
    if (clients.size() >= sweepAt) {
      sweep(now);
    }
    LimitCounters.Reason[] refused = new LimitCounters.Reason[1];
    clients.compute(
        key,
        (k, c) -> {
          Client client = c != null ? c : new Client(now);
          if (limits.maxAcceptRatePerClient() > 0
              && !conforms(client.tat, limits.maxAcceptRatePerClient(), now)) {
            refused[0] = LimitCounters.Reason.ACCEPT_RATE_PER_CLIENT;
          } else if (limits.maxConnectionsPerClient() > 0
              && client.open.get() >= limits.maxConnectionsPerClient()) {
            refused[0] = LimitCounters.Reason.CONNECTIONS_PER_CLIENT;
          } else {
            client.open.incrementAndGet();
          }
          return client;
        });
    return refused[0];
  }

  /** A connection admitted from {@code address} has closed. */
  public void release(InetAddress address) {
    open.decrementAndGet();
    if (address == null || !perClient() || exempt.test(address)) {
      return;
    }
    long now = nanos.getAsLong();
    clients.computeIfPresent(
        key(address), (k, c) -> c.open.decrementAndGet() <= 0 && c.tat.get() <= now ? null : c);
  }

  /** Connections open now (admitted and not released). */
  public int open() {
    return open.get();
  }

  /** Client addresses tracked now; for tests of the sweep. */
  int trackedClients() {
    return clients.size();
  }

  private boolean perClient() {
    return limits.maxConnectionsPerClient() > 0 || limits.maxAcceptRatePerClient() > 0;
  }

  private void sweep(long now) {
    clients.forEach(
        (k, c) -> {
          if (c.open.get() <= 0 && c.tat.get() <= now) {
            clients.remove(k, c);
          }
        });
    sweepAt = Math.max(MIN_SWEEP, 2 * clients.size());
  }

  /**
   * GCRA: whether one more connection at {@code now} conforms to {@code rate} per second; if so,
   * takes it.
   */
  private static boolean conforms(AtomicLong tat, int rate, long now) {
    long interval = SECOND / rate;
    long tolerance = SECOND - interval;
    while (true) {
      long t = tat.get();
      if (now - (t - tolerance) < 0) {
        return false;
      }
      long next = Math.max(t - now, 0) + now + interval;
      if (tat.compareAndSet(t, next)) {
        return true;
      }
    }
  }

  /** The address itself for IPv4; the /64 for IPv6. */
  static InetAddress key(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] b = address.getAddress();
    for (int i = 8; i < 16; i++) {
      b[i] = 0;
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are an IPv6 address", e);
    }
  }
}
