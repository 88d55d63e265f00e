package dev.tether.session.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.StoreCapability;
import dev.tether.testing.time.SettableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cookie store alone: seals, tampering, revocation, limits, key rotation. Socket-free. */
class CookieSessionStoreTest {

  private static final byte[] K1 =
      new Random(1)
          .ints(32)
          .collect(java.io.ByteArrayOutputStream::new, (o, i) -> o.write(i), (a, b) -> {})
          .toByteArray();
  private static final byte[] K2 =
      new Random(2)
          .ints(32)
          .collect(java.io.ByteArrayOutputStream::new, (o, i) -> o.write(i), (a, b) -> {})
          .toByteArray();
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Duration ABSOLUTE = Duration.ofHours(8);

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final SecureRandom random = new SecureRandom();
  private final MemorySessionStore revocations = new MemorySessionStore(clock);

  private CookieSessionStore store(
      EncryptionKeys keys, CookieStoreSettings s, boolean serverState) {
    return new CookieSessionStore(keys, s, serverState ? revocations : null, clock, random);
  }

  private CookieSessionStore store(boolean serverState) {
    return store(
        EncryptionKeys.ofRaw("k1", Map.of("k1", K1)), CookieStoreSettings.defaults(), serverState);
  }

  private static String id(int n) {
    byte[] b = new byte[32];
    new Random(n).nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private SessionRecord session(String id, String cart) {
    return SessionRecord.create(
        id, clock.instant(), IDLE, ABSOLUTE, "alice", Map.of("cart", cart.getBytes()));
  }

  /** The values a browser would hold after the request that wrote {@code id}. */
  private static List<String> browser(CookieSessionStore s, String id) {
    List<String> values = s.cookieValues(id);
    s.release(id);
    return values;
  }

  @Test
  void aSealedSessionRoundTripsThroughTheCookiesOfAnotherInstance() {
    CookieSessionStore a = store(false);
    SessionRecord r = session(id(1), "[1,2,3]");
    a.create(r);
    List<String> cookies = browser(a, r.id());

    CookieSessionStore b = store(false);
    assertThat(b.receive(cookies)).hasValue(r.id());
    assertThat(b.load(r.id())).hasValue(r);
    assertThat(String.join("", cookies)).doesNotContain("alice").doesNotContain("[1,2,3]");
  }

  @Test
  void everySingleCharacterChangeAndBitFlipOfASealedCookieIsRejected() {
    CookieSessionStore s = store(false);
    SessionRecord r = session(id(2), "[" + "1,".repeat(50) + "2]");
    s.create(r);
    List<String> cookies = browser(s, r.id());
    assertThat(cookies).hasSize(1);
    String value = cookies.get(0);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int tries = 0;
    for (int i = 0; i < value.length(); i++) {
      for (char c : new char[] {alphabet.charAt(i % 64), alphabet.charAt((i * 7 + 13) % 64), '.'}) {
        if (c == value.charAt(i)) {
          continue;
        }
        String forged = value.substring(0, i) + c + value.substring(i + 1);
        assertThat(s.receive(List.of(forged))).as("character %d changed to %s", i, c).isEmpty();
        tries++;
      }
    }
    byte[] sealed = Base64.getUrlDecoder().decode(value);
    for (int i = 0; i < sealed.length; i++) {
      for (int bit : new int[] {0, 3, 7}) {
        byte[] flipped = sealed.clone();
        flipped[i] ^= (byte) (1 << bit);
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(flipped);
        assertThat(s.receive(List.of(forged))).as("byte %d bit %d flipped", i, bit).isEmpty();
        tries++;
      }
    }
    assertThat(s.receive(List.of(value.substring(0, value.length() - 1))))
        .as("truncated")
        .isEmpty();
    assertThat(s.receive(List.of(value + "A"))).as("extended").isEmpty();
    assertThat(tries).isGreaterThan(value.length() * 2);
    assertThat(s.receive(List.of(value))).as("the genuine cookie still opens").hasValue(r.id());
  }

  @Test
  void anUnsealedValueInTheCodecFormatIsRejected() {
    CookieSessionStore s = store(false);
    byte[] plain = SessionSeal.write(session(id(3), "[]"));
    byte[] unsealed = new byte[plain.length + 2];
    unsealed[0] = 1; // the codec's format, flags 0: not encrypted
    System.arraycopy(plain, 0, unsealed, 2, plain.length);
    assertThat(AttributeCodec.keyIdOf(unsealed)).isNull();

    assertThat(s.receive(List.of(Base64.getUrlEncoder().withoutPadding().encodeToString(unsealed))))
        .isEmpty();
  }

  @Test
  void aCookieFromBeforeALogoutIsRefusedWithARevocationStore() {
    CookieSessionStore s = store(true);
    SessionRecord r = session(id(4), "[1]");
    s.create(r);
    List<String> before = browser(s, r.id());

    assertThat(s.receive(before)).hasValue(r.id());
    assertThat(s.delete(r.id())).isTrue();
    s.release(r.id());

    assertThat(store(true).receive(before)).as("replayed after logout, on any instance").isEmpty();
    clock.advance(ABSOLUTE);
    assertThat(revocations.load(r.id())).as("the entry lasts until the absolute timeout").isEmpty();
  }

  @Test
  void withoutServerStateAReplayedCookieOpensUntilItsOwnExpiry() {
    CookieSessionStore s = store(false);
    SessionRecord r = session(id(5), "[1]");
    s.create(r);
    List<String> before = browser(s, r.id());
    s.receive(before);
    s.delete(r.id());
    s.release(r.id());

    assertThat(s.receive(before)).as("nothing on the server remembers the logout").hasValue(r.id());
    s.release(r.id());
    clock.advance(IDLE);
    assertThat(s.receive(before)).as("the seal's own expiry").isEmpty();
  }

  @Test
  void aCookieFromBeforeAnIdRotationOrALoginIsRefused() {
    CookieSessionStore s = store(true);
    SessionRecord r = SessionRecord.create(id(6), clock.instant(), IDLE, ABSOLUTE, null, Map.of());
    s.create(r);
    List<String> anonymous = browser(s, r.id());

    s.receive(anonymous);
    SaveResult login = s.save(SessionDelta.builder(r.id(), 1).principal("alice").build());
    List<String> loggedIn = browser(s, r.id());
    assertThat(login.isSaved()).isTrue();
    assertThat(s.receive(anonymous)).as("older than the principal change").isEmpty();

    assertThat(s.receive(loggedIn)).hasValue(r.id());
    assertThat(s.rotateId(r.id(), id(7)).isSaved()).isTrue();
    List<String> rotated = browser(s, id(7));
    s.release(r.id());
    assertThat(s.receive(loggedIn)).as("the rotated-away id").isEmpty();
    assertThat(s.receive(rotated)).hasValue(id(7));
  }

  @Test
  void trackingEveryWriteRefusesAReplayOfAnyEarlierState() {
    CookieSessionStore s =
        store(
            EncryptionKeys.ofRaw("k1", Map.of("k1", K1)),
            CookieStoreSettings.defaults().trackingEveryWrite(),
            true);
    SessionRecord r = session(id(8), "[\"coupon\"]");
    s.create(r);
    List<String> withCoupon = browser(s, r.id());
    s.receive(withCoupon);
    s.save(SessionDelta.builder(r.id(), 1).remove("cart").build());
    List<String> used = browser(s, r.id());

    assertThat(s.receive(withCoupon)).as("the state before the change").isEmpty();
    assertThat(s.receive(used)).hasValue(r.id());
  }

  @Test
  void aSessionTooLargeForItsCookiesIsRefusedClearlyAndTheOldValueStays() {
    CookieSessionStore s = store(false);
    SessionRecord r = session(id(9), "[1]");
    s.create(r);
    List<String> before = s.cookieValues(r.id());
    byte[] noise = new byte[20_000];
    random.nextBytes(noise);

    assertThatThrownBy(() -> s.save(SessionDelta.builder(r.id(), 1).set("blob", noise).build()))
        .isInstanceOf(SessionTooLargeException.class)
        .hasMessageContaining("the cookies hold at most " + s.limit())
        .hasMessageContaining("4 cookies of 4096 bytes")
        .satisfies(e -> assertThat(((SessionTooLargeException) e).size()).isGreaterThan(s.limit()));
    assertThat(s.cookieValues(r.id())).as("unchanged, not truncated").isEqualTo(before);
    assertThat(s.load(r.id()).orElseThrow().attributes()).containsOnlyKeys("cart");
    assertThatThrownBy(
            () ->
                s.create(
                    SessionRecord.create(
                        id(10), clock.instant(), IDLE, ABSOLUTE, null, Map.of("b", noise))))
        .isInstanceOf(SessionTooLargeException.class);
    assertThat(s.cookieValues(id(10))).isEmpty();
  }

  @Test
  void aSessionIsSplitOverSeveralCookiesEachWithinTheSizeLimit() {
    CookieSessionStore s = store(false);
    byte[] noise = new byte[7_000];
    random.nextBytes(noise);
    SessionRecord r =
        SessionRecord.create(id(11), clock.instant(), IDLE, ABSOLUTE, null, Map.of("b", noise));
    s.create(r);

    List<String> cookies = browser(s, r.id());

    assertThat(cookies).hasSize(3);
    for (int i = 0; i < cookies.size(); i++) {
      String name = i == 0 ? "__Host-TSESSION" : "__Host-TSESSION." + i;
      assertThat(name.length() + 1 + cookies.get(i).length()).isLessThanOrEqualTo(4096);
    }
    assertThat(store(false).receive(cookies)).hasValue(r.id());
    assertThat(store(false).receive(List.of(cookies.get(0), cookies.get(2), cookies.get(1))))
        .isEmpty();
    assertThat(store(false).receive(cookies.subList(0, 2))).as("a part missing").isEmpty();
  }

  @Test
  void aCookieSealedUnderTheOldKeyOpensAndIsResealedUnderTheNewOne() {
    CookieSessionStore old =
        store(EncryptionKeys.ofRaw("k1", Map.of("k1", K1)), CookieStoreSettings.defaults(), false);
    SessionRecord r = session(id(12), "[5]");
    old.create(r);
    List<String> underK1 = browser(old, r.id());

    CookieSessionStore rotated =
        store(
            EncryptionKeys.ofRaw("k2", Map.of("k1", K1, "k2", K2)),
            CookieStoreSettings.defaults(),
            false);
    assertThat(rotated.receive(underK1)).hasValue(r.id());
    List<String> resealed = rotated.cookieValues(r.id());

    assertThat(resealed).isNotEqualTo(underK1);
    assertThat(AttributeCodec.keyIdOf(Base64.getUrlDecoder().decode(String.join("", resealed))))
        .isEqualTo("k2");
    assertThat(rotated.load(r.id())).hasValue(r);
    CookieSessionStore onlyK2 =
        store(EncryptionKeys.ofRaw("k2", Map.of("k2", K2)), CookieStoreSettings.defaults(), false);
    assertThat(onlyK2.receive(resealed)).as("no user logged out by the rotation").hasValue(r.id());
    assertThat(onlyK2.receive(underK1)).as("k1 retired").isEmpty();
  }

  @Test
  void valuesAreHeldOnlyWhileARequestHoldsThem() {
    CookieSessionStore s = store(false);
    SessionRecord r = session(id(13), "[1]");
    s.create(r);
    List<String> cookies = s.cookieValues(r.id());
    s.receive(cookies); // a concurrent request of the same client

    s.release(r.id());
    assertThat(s.load(r.id())).as("still held by the second request").isPresent();
    s.release(r.id());
    assertThat(s.load(r.id())).isEmpty();
    assertThat(s.cookieValues(r.id())).isEmpty();
  }

  @Test
  void declaresWhatItCannotDoAndRefusesItSayingWhy() {
    CookieSessionStore s = store(true);
    assertThat(s.capabilities())
        .doesNotContain(StoreCapability.PRINCIPAL_INDEX, StoreCapability.EXPIRY_SWEEP);
    assertThatThrownBy(() -> s.findByPrincipal("alice"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("cannot be listed");
    assertThatThrownBy(() -> s.sweepExpired(10))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("expire in the clients' cookies");
  }

  @Test
  void aRequestCostsOneSmallReadOfTheRevocationList() {
    java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();
    dev.tether.session.spi.SessionStore counting =
        (dev.tether.session.spi.SessionStore)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {dev.tether.session.spi.SessionStore.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("load")
                      || method.getName().equals("currentVersion")) {
                    reads.incrementAndGet();
                  }
                  try {
                    return method.invoke(revocations, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    CookieSessionStore s =
        new CookieSessionStore(
            EncryptionKeys.ofRaw("k1", Map.of("k1", K1)),
            CookieStoreSettings.defaults(),
            counting,
            clock,
            random);
    dev.tether.session.SessionManager manager =
        dev.tether.session.SessionManager.builder(s).clock(clock).build();
    var created = manager.create();
    created.setAttribute("cart", List.of(1));
    manager.commit(created);
    List<String> cookies = browser(s, created.id());
    reads.set(0);

    // one request: receive, open, read, change, save, send, release
    String id = s.receive(cookies).orElseThrow();
    var session = manager.open(id, "127.0.0.1").orElseThrow();
    session.setAttribute("cart", List.of(1, 2));
    manager.commit(session);
    assertThat(s.cookieValues(id)).isNotEqualTo(cookies);
    s.release(id);

    assertThat(reads).as("revocation-list reads in the request").hasValue(1);
  }

  @Test
  void theManagerSweepsNothingAndANearCacheIsRefused() {
    CookieSessionStore s = store(false);
    assertThat(dev.tether.session.SessionManager.builder(s).clock(clock).build().sweepExpired())
        .isZero();
    assertThatThrownBy(() -> new dev.tether.session.cache.NearCacheStore(s, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use the store directly");
  }

  @Test
  void settingsAreCheckedWithClearErrors() {
    assertThatThrownBy(() -> CookieStoreSettings.defaults().withLimits(8192, 4))
        .hasMessageContaining("256..4096");
    assertThatThrownBy(() -> CookieStoreSettings.defaults().withLimits(4096, 0))
        .hasMessageContaining("1..64");
    assertThatThrownBy(
            () ->
                store(
                    EncryptionKeys.ofRaw("k", Map.of("k", new byte[16])),
                    CookieStoreSettings.defaults(),
                    false))
        .hasMessageContaining("AES-256");
    assertThatThrownBy(
            () ->
                store(
                    EncryptionKeys.ofRaw("k1", Map.of("k1", K1)),
                    CookieStoreSettings.defaults().trackingEveryWrite(),
                    false))
        .hasMessageContaining("needs a revocation store");
    List<String> bad = new ArrayList<>();
    bad.add("!!");
    assertThat(store(false).receive(bad)).isEmpty();
  }
}
