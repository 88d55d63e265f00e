package dev.tether.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.PickRequest;
import dev.tether.proxy.config.Cidr;
import dev.tether.proxy.config.RouteAccess;
import dev.tether.proxy.config.RouteRateLimit;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouteGateTest {

  private final AtomicLong now = new AtomicLong();
  private final RouteGate.Refusals refusals = new RouteGate.Refusals();
  private final HttpHeaders none = new DefaultHttpHeaders();

  private RouteGate access(List<String> allow, List<String> deny) {
    return new RouteGate(
        new RouteAccess(
            allow.stream().map(Cidr::parse).toList(), deny.stream().map(Cidr::parse).toList()),
        null,
        refusals,
        now::get);
  }

  @Test
  void denyCarvesExceptionsOutOfAllow() {
    RouteGate g = access(List.of("10.0.0.0/8", "2001:db8::/32"), List.of("10.0.5.0/24"));

    assertThat(g.check(request("10.1.2.3", none))).isNull();
    assertThat(g.check(request("2001:db8::7", none))).isNull();
    assertThat(g.check(request("[2001:db8::7]", none))).isNull();
    RouteGate.Refusal no = g.check(request("10.0.5.9", none));
    assertThat(no.status()).isEqualTo(403);
    assertThat(no.reason()).contains("client 10.0.5.9 is not allowed");
    assertThat(g.check(request("192.168.1.1", none)).status()).isEqualTo(403);
    assertThat(refusals.denied()).isEqualTo(2);
  }

  @Test
  void aDenyListAloneLetsEveryoneElseIn() {
    RouteGate g = access(List.of(), List.of("203.0.113.0/24"));

    assertThat(g.check(request("198.51.100.1", none))).isNull();
    assertThat(g.check(request("unknown", none))).isNull(); // not an address: in no range
    assertThat(g.check(request("203.0.113.77", none)).status()).isEqualTo(403);
  }

  @Test
  void anAllowListRefusesWhatIsNotAnAddress() {
    assertThat(access(List.of("0.0.0.0/0"), List.of()).check(request("unknown", none)).status())
        .isEqualTo(403);
  }

  @Test
  void aRateLimitAnswers429WithTheSecondsToWait() {
    RouteGate g =
        new RouteGate(
            null,
            new RouteRateLimit(1 / 60.0, 2, RouteRateLimit.Key.CLIENT, null, 100),
            refusals,
            now::get);

    assertThat(g.check(request("10.0.0.1", none))).isNull();
    assertThat(g.check(request("10.0.0.1", none))).isNull();
    RouteGate.Refusal no = g.check(request("10.0.0.1", none));

    assertThat(no.status()).isEqualTo(429);
    assertThat(no.retryAfterSeconds()).isEqualTo(60);
    assertThat(no.reason()).isEqualTo("rate limit 1/m burst 2 reached for client 10.0.0.1");
    assertThat(g.check(request("10.0.0.2", none))).isNull();
    now.addAndGet(TimeUnit.SECONDS.toNanos(60));
    assertThat(g.check(request("10.0.0.1", none))).isNull();
    assertThat(refusals.rateLimited()).isEqualTo(1);
  }

  @Test
  void headerAndCookieKeysShareABucketPerValueAndNeverLogIt() {
    RouteGate byHeader =
        new RouteGate(
            null,
            new RouteRateLimit(1, 1, RouteRateLimit.Key.HEADER, "x-api-key", 100),
            refusals,
            now::get);
    HttpHeaders alice = new DefaultHttpHeaders().set("X-Api-Key", "secret-alice");
    HttpHeaders bob = new DefaultHttpHeaders().set("X-Api-Key", "secret-bob");

    assertThat(byHeader.check(request("10.0.0.1", alice))).isNull();
    RouteGate.Refusal no =
        byHeader.check(request("10.0.0.2", alice)); // same key from another address
    assertThat(no.status()).isEqualTo(429);
    assertThat(no.reason()).doesNotContain("secret").contains("this header x-api-key value");
    assertThat(byHeader.check(request("10.0.0.1", bob))).isNull();
    assertThat(byHeader.check(request("10.0.0.1", none)))
        .isNull(); // without the header: the client's bucket
    assertThat(byHeader.check(request("10.0.0.1", none)).reason()).endsWith("for client 10.0.0.1");

    RouteGate byCookie =
        new RouteGate(
            null,
            new RouteRateLimit(1, 1, RouteRateLimit.Key.COOKIE, "SID", 100),
            refusals,
            now::get);
    HttpHeaders s1 = new DefaultHttpHeaders().add("Cookie", "a=1; SID=\"abc\"; b=2");
    assertThat(byCookie.check(request("10.0.0.1", s1))).isNull();
    assertThat(
            byCookie.check(request("10.0.0.9", new DefaultHttpHeaders().add("Cookie", "SID=abc"))))
        .isNotNull();
    assertThat(
            byCookie.check(request("10.0.0.1", new DefaultHttpHeaders().add("Cookie", "XSID=abc"))))
        .isNull();
  }

  /** A request as the frontend presents it to pickers: address, headers, cookies. */
  private static PickRequest request(String client, HttpHeaders headers) {
    return new PickRequest() {
      @Override
      public String clientAddress() {
        return client;
      }

      @Override
      public String header(String name) {
        return headers.get(name);
      }

      @Override
      public String cookie(String name) {
        String line = headers.get("Cookie");
        if (line == null) {
          return null;
        }
        for (io.netty.handler.codec.http.cookie.Cookie c :
            io.netty.handler.codec.http.cookie.ServerCookieDecoder.LAX.decode(line)) {
          if (c.name().equals(name)) {
            return c.value();
          }
        }
        return null;
      }
    };
  }
}
