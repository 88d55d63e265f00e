package dev.tether.proxy.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.ClientLimits;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final LimitCounters counters = new LimitCounters();

  private ConnectionLimiter limiter(int max, int perClient, int rate, int ratePerClient) {
    return new ConnectionLimiter(
        new ClientLimits(max, perClient, rate, ratePerClient, 0, 0, Duration.ZERO),
        a -> a.getHostAddress().equals("10.9.9.9"),
        now::get,
        counters);
  }

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void refusesOverTheGlobalCountUntilOneCloses() throws Exception {
    ConnectionLimiter l = limiter(2, 0, 0, 0);
    assertThat(l.admit(ip("10.0.0.1"))).isNull();
    assertThat(l.admit(ip("10.0.0.2"))).isNull();
    assertThat(l.admit(ip("10.0.0.3"))).isEqualTo(LimitCounters.Reason.CONNECTIONS);
    assertThat(l.open()).isEqualTo(2);
    l.release(ip("10.0.0.1"));
    assertThat(l.admit(ip("10.0.0.3"))).isNull();
    assertThat(counters.count(LimitCounters.Reason.CONNECTIONS)).isEqualTo(1);
  }

  @Test
  void refusesOverThePerClientCountWithoutTouchingOtherClients() throws Exception {
    ConnectionLimiter l = limiter(0, 2, 0, 0);
    assertThat(l.admit(ip("10.0.0.1"))).isNull();
    assertThat(l.admit(ip("10.0.0.1"))).isNull();
    assertThat(l.admit(ip("10.0.0.1"))).isEqualTo(LimitCounters.Reason.CONNECTIONS_PER_CLIENT);
    assertThat(l.admit(ip("10.0.0.2"))).isNull();
    assertThat(l.open()).isEqualTo(3); // the refused one is not counted as open
    l.release(ip("10.0.0.1"));
    assertThat(l.admit(ip("10.0.0.1"))).isNull();
  }

  @Test
  void trustedProxiesAreExemptFromPerClientLimitsButNotFromTheGlobalOne() throws Exception {
    ConnectionLimiter l = limiter(3, 1, 0, 0);
    assertThat(l.admit(ip("10.9.9.9"))).isNull();
    assertThat(l.admit(ip("10.9.9.9"))).isNull();
    assertThat(l.admit(ip("10.9.9.9"))).isNull();
    assertThat(l.admit(ip("10.9.9.9"))).isEqualTo(LimitCounters.Reason.CONNECTIONS);
  }

  @Test
  void ipv6ClientsCountPerSlash64() throws Exception {
    ConnectionLimiter l = limiter(0, 1, 0, 0);
    assertThat(l.admit(ip("2001:db8:1:2::1"))).isNull();
    assertThat(l.admit(ip("2001:db8:1:2:ffff::7")))
        .isEqualTo(LimitCounters.Reason.CONNECTIONS_PER_CLIENT);
    assertThat(l.admit(ip("2001:db8:1:3::1"))).isNull();
  }

  @Test
  void acceptRateAllowsOneSecondsBurstThenOnePerInterval() throws Exception {
    ConnectionLimiter l = limiter(0, 0, 10, 0);
    for (int i = 0; i < 10; i++) {
      assertThat(l.admit(ip("10.0.0." + i))).as("burst #%d", i).isNull();
    }
    assertThat(l.admit(ip("10.0.0.50"))).isEqualTo(LimitCounters.Reason.ACCEPT_RATE);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(99));
    assertThat(l.admit(ip("10.0.0.50"))).isEqualTo(LimitCounters.Reason.ACCEPT_RATE);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1)); // 100 ms = 1 s / 10 later: one more conforms
    assertThat(l.admit(ip("10.0.0.50"))).isNull();
    assertThat(l.admit(ip("10.0.0.51"))).isEqualTo(LimitCounters.Reason.ACCEPT_RATE);
    assertThat(counters.count(LimitCounters.Reason.ACCEPT_RATE)).isEqualTo(3);
    assertThat(l.open()).isEqualTo(11);
  }

  @Test
  void perClientAcceptRateRefusesTheFloodingClientOnly() throws Exception {
    ConnectionLimiter l = limiter(0, 0, 0, 2);
    assertThat(l.admit(ip("10.0.0.1"))).isNull();
    assertThat(l.admit(ip("10.0.0.1"))).isNull();
    assertThat(l.admit(ip("10.0.0.1"))).isEqualTo(LimitCounters.Reason.ACCEPT_RATE_PER_CLIENT);
    assertThat(l.admit(ip("10.0.0.2"))).isNull();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(l.admit(ip("10.0.0.1"))).isNull();
  }

  @Test
  void clientsThatLeftAreSweptSoTheTableFollowsLiveClients() throws Exception {
    ConnectionLimiter l = limiter(0, 0, 0, 100);
    for (int i = 0; i < 3000; i++) {
      InetAddress a = InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i});
      assertThat(l.admit(a)).isNull();
      l.release(a); // their accept-rate time lies in the future, so they stay until swept
    }
    assertThat(l.trackedClients()).isEqualTo(3000); // nothing to sweep yet
    now.addAndGet(TimeUnit.SECONDS.toNanos(2));
    for (int i = 0; i < 2100; i++) {
      l.admit(InetAddress.getByAddress(new byte[] {10, 2, (byte) (i >> 8), (byte) i}));
    }
    assertThat(l.trackedClients())
        .isEqualTo(2100); // the 3000 that left were swept when the table doubled
    assertThat(l.open()).isEqualTo(2100);
  }
}
