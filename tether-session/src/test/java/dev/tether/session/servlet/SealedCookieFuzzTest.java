package dev.tether.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.session.FuzzInput;
import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.cookie.CookieSessionStore;
import dev.tether.session.cookie.CookieStoreSettings;
import dev.tether.session.cookie.SessionTooLargeException;
import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the sealed-cookie decoder (the request's {@code Cookie} headers through {@link
 * SealedCookies} into the {@link CookieSessionStore}) with Jazzer. One input is used two ways:
 *
 * <ul>
 *   <li>as {@code Cookie} header text (ISO-8859-1, one header per line): the request opens no
 *       session unless the headers carry a seal this key made, nothing throws, and after the
 *       request the store holds nothing;
 *   <li>as the description of a session (id, times, version, principal, attributes): sealed over
 *       the cookies {@code TSESSION}, {@code TSESSION.1}, ... it opens as the same session through
 *       a request's header (or is refused at write as too large, with a message), and with one
 *       character of one cookie changed, a cookie dropped, or two cookies swapped, it is refused.
 * </ul>
 *
 * <p>Seeds in {@code SealedCookieFuzzTestInputs/cookies/} are Cookie headers with seals made under
 * {@link #KEY} at {@link #NOW}, one and several cookies long, among other cookies. In a normal
 * build this runs on them only; {@code ./mvnw -Pfuzz} fuzzes it.
 */
class SealedCookieFuzzTest {

  /** The sealing key of the seeds: 32 bytes 0x21..0x40. */
  static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (0x21 + i);
    }
  }

  /** The store's clock; the seeds' sessions are live then. */
  static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  private static final SessionCookie COOKIE = new SessionCookie("TSESSION", false, "Lax");

  /** Small cookies, so that a session of a few hundred bytes takes several. */
  private static final CookieStoreSettings SETTINGS =
      new CookieStoreSettings(COOKIE.name(), 256, 8, false);

  private static final CookieSessionStore STORE =
      new CookieSessionStore(
          EncryptionKeys.ofRaw("k1", Map.of("k1", KEY)),
          SETTINGS,
          null,
          Clock.fixed(NOW, ZoneOffset.UTC),
          new SecureRandom());

  @FuzzTest
  void cookies(byte[] input) {
    opensNothingItDidNotSeal(new String(input, StandardCharsets.ISO_8859_1));
    roundTripsAndRefusesTampering(new FuzzInput(input));
    assertThat(STORE.heldCount()).as("sessions held after the requests").isZero();
  }

  private static void opensNothingItDidNotSeal(String text) {
    SealedCookies request =
        new SealedCookies(STORE, COOKIE, Collections.enumeration(List.of(text.split("\n", -1))));
    try {
      String id = request.receivedId();
      if (id != null) {
        assertThat(request.presented()).isTrue();
        assertThat(STORE.load(id)).as("the session of a received id").isPresent();
      }
    } finally {
      request.release();
    }
  }

  private static void roundTripsAndRefusesTampering(FuzzInput in) {
    SessionRecord session = session(in);
    List<String> values;
    try {
      STORE.create(session);
      values = STORE.cookieValues(session.id());
    } catch (SessionTooLargeException e) {
      assertThat(e.getMessage()).contains("cookie");
      return;
    } finally {
      STORE.release(session.id());
    }
    assertThat(values).isNotEmpty().hasSizeLessThanOrEqualTo(SETTINGS.maxCookies());

    SealedCookies request = request(values, in.nextBoolean());
    try {
      assertThat(request.receivedId())
          .as("id opened from %d cookies", values.size())
          .isEqualTo(session.id());
      assertThat(STORE.load(session.id())).hasValue(session);
    } finally {
      request.release();
    }

    List<String> tampered = new ArrayList<>(values);
    int which = in.nextInt(tampered.size());
    String value = tampered.get(which);
    int at = in.nextInt(value.length());
    char replacement = ALPHABET.charAt(in.nextInt(ALPHABET.length()));
    if (replacement == value.charAt(at)) {
      replacement = ALPHABET.charAt((ALPHABET.indexOf(replacement) + 1) % ALPHABET.length());
    }
    tampered.set(which, value.substring(0, at) + replacement + value.substring(at + 1));
    assertRefused(tampered, "character " + at + " of cookie " + which);
    if (values.size() > 1) {
      List<String> dropped = new ArrayList<>(values);
      dropped.remove(which);
      assertRefused(dropped, "cookie " + which + " dropped");
      List<String> swapped = new ArrayList<>(values);
      Collections.swap(swapped, which, (which + 1) % values.size());
      assertRefused(
          swapped, "cookies " + which + " and " + (which + 1) % values.size() + " swapped");
    }
    assertRefused(List.of(String.join("", values) + "A"), "one character more");
  }

  private static void assertRefused(List<String> values, String what) {
    SealedCookies request = request(values, false);
    try {
      assertThat(request.receivedId()).as(what).isNull();
    } finally {
      request.release();
    }
  }

  /** A request carrying {@code values} as NAME, NAME.1, ..., in one header or one header each. */
  private static SealedCookies request(List<String> values, boolean headerPerCookie) {
    List<String> cookies = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      cookies.add(SETTINGS.nameOf(i) + "=" + values.get(i));
    }
    List<String> headers =
        headerPerCookie ? cookies : List.of("theme=dark; " + String.join("; ", cookies));
    return new SealedCookies(STORE, COOKIE, Collections.enumeration(headers));
  }

  /** A live session (at {@link #NOW}) described by the input. */
  private static SessionRecord session(FuzzInput in) {
    byte[] idBytes = in.nextBytes(90);
    String id =
        idBytes.length == 0 ? "a" : Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes);
    long age = in.nextInt(1 << 30);
    long idle = in.nextInt(1 << 30);
    Instant created = NOW.minusMillis(age);
    Instant accessed = NOW.minusMillis(Math.min(age, idle));
    Duration idleTimeout = Duration.ofMillis(Math.min(age, idle) + 1 + in.nextInt(1 << 30));
    Duration absoluteTimeout = Duration.ofMillis(age + 1 + in.nextInt(1 << 30));
    long version = 1 + (in.nextLong() & Long.MAX_VALUE - 1);
    String principal = in.nextBoolean() ? null : "u" + in.nextString(40);
    Map<String, AttributeValue> attributes = new HashMap<>();
    for (int i = in.nextInt(5); i > 0; i--) {
      attributes.put(
          "a" + in.nextString(20), new AttributeValue(in.nextBytes(300), 1 + in.nextInt(1 << 20)));
    }
    return new SessionRecord(
        id, created, accessed, idleTimeout, absoluteTimeout, version, principal, attributes);
  }
}
