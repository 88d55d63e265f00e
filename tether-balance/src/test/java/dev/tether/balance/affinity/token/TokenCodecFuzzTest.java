package dev.tether.balance.affinity.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the affinity token codec with Jazzer. One input is used two ways:
 *
 * <ul>
 *   <li>as token text (ISO-8859-1, one character per byte): {@link TokenCodec#decode} never throws,
 *       its only refusal is {@code null}, and a token it accepts has exactly one spelling (encoding
 *       it again gives the same text);
 *   <li>as the fields of a token (session, times, epoch, server, owners, read in that order with
 *       zeros once the input is used up): encoding either refuses with the documented {@link
 *       IllegalArgumentException} (a name over 255 bytes) or the token decodes back equal, and the
 *       same token with any one byte changed (position and xor taken from the input) is refused.
 * </ul>
 *
 * <p>Seeds in {@code TokenCodecFuzzTestInputs/tokens/} are valid tokens of both versions. In a
 * normal build this runs on them only; {@code ./mvnw -Pfuzz} fuzzes it.
 */
class TokenCodecFuzzTest {

  private static final TokenCodec CODEC =
      new TokenCodec(
          new KeyRing(List.of(TokenCodecTest.key("k1", 1), TokenCodecTest.key("k0", 2))));
  private static final TokenCodec OTHER_RING =
      new TokenCodec(new KeyRing(List.of(TokenCodecTest.key("k1", 3))));

  @FuzzTest
  void tokens(byte[] input) {
    decodesArbitraryText(new String(input, StandardCharsets.ISO_8859_1));
    roundTripsAndRefusesTampering(ByteBuffer.wrap(input));
  }

  private static void decodesArbitraryText(String text) {
    AffinityToken token = CODEC.decode(text);
    assertThat(CODEC.verify(text)).isEqualTo(token);
    if (token != null) {
      assertThat(CODEC.encode(token)).as("the one spelling of %s", token).isEqualTo(text);
      assertThat(OTHER_RING.decode(text)).as("decoded under a foreign key").isNull();
    }
  }

  private static void roundTripsAndRefusesTampering(ByteBuffer in) {
    int session = nextInt(in);
    long issuedAt = nextInt(in) & 0xFFFFFFFFL;
    long lastSeen = nextInt(in) & 0xFFFFFFFFL;
    int epoch = nextByte(in) % 2 == 0 ? 0 : nextInt(in);
    String server = nextString(in);
    int ownerCount = nextByte(in) % (TokenCodec.MAX_OWNERS + 1);
    List<String> owners = new ArrayList<>();
    for (int i = 0; i < ownerCount; i++) {
      owners.add(nextString(in));
    }
    AffinityToken token = new AffinityToken(session, server, issuedAt, lastSeen, epoch, owners);
    boolean tooLong =
        utf8Length(server) > 255 || owners.stream().anyMatch(o -> utf8Length(o) > 255);
    if (tooLong) {
      assertThatThrownBy(() -> CODEC.encode(token))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("longer than 255 bytes");
      return;
    }
    String text = CODEC.encode(token);
    assertThat(text).matches("[A-Za-z0-9_-]+");
    assertThat(CODEC.decode(text)).isEqualTo(token);
    assertThat(CODEC.verify(text)).isEqualTo(token);

    byte[] raw = new byte[text.length()];
    int n = TokenCodec.unbase64(text, raw);
    int at = Math.floorMod(nextInt(in), n);
    int xor = nextByte(in);
    byte[] tampered = Arrays.copyOf(raw, n);
    tampered[at] ^= (byte) (xor == 0 ? 1 : xor);
    assertThat(CODEC.decode(TokenCodec.base64(tampered, n))).as("byte %d xor %d", at, xor).isNull();
    assertThat(CODEC.decode(TokenCodec.base64(raw, n - 1))).as("one byte short").isNull();
    assertThat(CODEC.decode(text + "A")).as("one character more").isNull();
    assertThat(OTHER_RING.decode(text)).as("decoded under a foreign key").isNull();
  }

  private static int nextByte(ByteBuffer in) {
    return in.hasRemaining() ? in.get() & 0xFF : 0;
  }

  private static int nextInt(ByteBuffer in) {
    return in.remaining() >= 4 ? in.getInt() : nextByte(in);
  }

  /**
   * A length byte (0..255, ×2 when odd, so names past 255 bytes occur), then that many bytes as
   * UTF-8.
   */
  private static String nextString(ByteBuffer in) {
    int len = nextByte(in);
    len = len % 2 == 1 ? len * 2 : len;
    byte[] b = new byte[Math.min(len, in.remaining())];
    in.get(b);
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      CharBuffer chars = utf8.decode(ByteBuffer.wrap(b));
      return chars.toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new AssertionError("a replacing decoder cannot fail", e);
    }
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
