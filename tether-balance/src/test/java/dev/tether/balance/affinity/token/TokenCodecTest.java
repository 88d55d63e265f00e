package dev.tether.balance.affinity.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

public class TokenCodecTest {

  public static SigningKey key(String id, int fill) {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) fill);
    return new SigningKey(id, secret);
  }

  private final TokenCodec codec = new TokenCodec(new KeyRing(List.of(key("k1", 1))));
  private final AffinityToken token =
      new AffinityToken(0x12345678, "s2", 1_795_000_000L, 1_795_000_060L);

  @Test
  void roundTripsAndIsCompact() {
    String text = codec.encode(token);
    assertThat(codec.decode(text)).isEqualTo(token);
    // 15 header bytes + "s2" + 16 MAC bytes = 33 bytes = 44 base64url characters, no padding.
    assertThat(text).hasSize(44).matches("[A-Za-z0-9_-]+");
    assertThat(text).doesNotContain("127.0.0.1");
  }

  @Test
  void roundTripsEveryNameLengthAndUnicode() {
    for (String name : List.of("a", "ab", "abc", "abcd", "server-ü-7", "x".repeat(255))) {
      AffinityToken t = new AffinityToken(-1, name, 0xFFFFFFF0L, 0xFFFFFFFFL);
      assertThat(codec.decode(codec.encode(t))).isEqualTo(t);
    }
  }

  @Test
  void rejectsEverySingleByteTamper() {
    String text = codec.encode(token);
    byte[] raw = new byte[64];
    int n = TokenCodec.unbase64(text, raw);
    for (int i = 0; i < n; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] b = Arrays.copyOf(raw, n);
        b[i] ^= (byte) (1 << bit);
        assertThat(codec.decode(TokenCodec.base64(b, n))).as("byte %d bit %d", i, bit).isNull();
      }
      for (int v : new int[] {0, 0xFF, raw[i] + 1}) {
        byte[] b = Arrays.copyOf(raw, n);
        if (b[i] == (byte) v) {
          continue;
        }
        b[i] = (byte) v;
        assertThat(codec.decode(TokenCodec.base64(b, n))).as("byte %d = %d", i, v).isNull();
      }
    }
  }

  @Test
  void rejectsEverySingleCharacterChangeOfTheText() {
    String text =
        codec.encode(
            new AffinityToken(7, "s1x", 1_795_000_000L, 1_795_000_000L)); // 34 bytes: spare bits
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.+/ ";
    for (int i = 0; i < text.length(); i++) {
      for (char c : alphabet.toCharArray()) {
        if (c == text.charAt(i)) {
          continue;
        }
        String forged = text.substring(0, i) + c + text.substring(i + 1);
        assertThat(codec.decode(forged)).as("position %d -> %s", i, c).isNull();
      }
    }
    assertThat(codec.decode(text.substring(1))).isNull();
    assertThat(codec.decode(text + "A")).isNull();
    assertThat(codec.decode(text + "AA")).isNull();
  }

  @Test
  void aVerifiedTokenIsRememberedButItsTamperedTwinIsNot() {
    String text = codec.encode(token);
    assertThat(codec.decode(text)).isEqualTo(token);
    assertThat(codec.decode(new String(text.toCharArray())))
        .as("same text, other String object")
        .isEqualTo(token);
    String forged =
        text.substring(0, 20) + (text.charAt(20) == 'A' ? 'B' : 'A') + text.substring(21);
    assertThat(codec.decode(forged)).isNull();
    assertThat(codec.decode(forged)).as("a rejected text is never remembered").isNull();
    assertThat(codec.decode(new StringBuilder(text)))
        .as("non-String input verifies too")
        .isEqualTo(token);
  }

  @Test
  void rejectsGarbage() {
    for (String s :
        List.of(
            "",
            "A",
            "AA",
            "AAAA",
            "!!!!",
            "s1",
            "127.0.0.1:8080",
            "x".repeat(5000),
            "é".repeat(44))) {
      assertThat(codec.decode(s)).as(s).isNull();
    }
    assertThat(codec.decode(null)).isNull();
  }

  @Test
  void rotationSignsWithTheNewestAndVerifiesWithAll() {
    String old = codec.encode(token);
    TokenCodec rotated = new TokenCodec(new KeyRing(List.of(key("k2", 2), key("k1", 1))));
    assertThat(rotated.decode(old)).isEqualTo(token);
    String fresh = rotated.encode(token);
    assertThat(fresh).isNotEqualTo(old);
    assertThat(codec.decode(fresh)).as("the old ring does not know k2").isNull();
    TokenCodec retired = new TokenCodec(new KeyRing(List.of(key("k2", 2))));
    assertThat(retired.decode(old)).as("k1 retired").isNull();
    assertThat(retired.decode(fresh)).isEqualTo(token);
  }

  @Test
  void aKeyWithTheSameIdButAnotherSecretRejects() {
    TokenCodec other = new TokenCodec(new KeyRing(List.of(key("k1", 9))));
    assertThat(other.decode(codec.encode(token))).isNull();
  }

  @Test
  void keyRingRejectsShortSecretsEmptyRingsAndTagCollisions() {
    assertThatThrownBy(() -> new SigningKey("k", new byte[31]))
        .hasMessageContaining("at least 32 bytes");
    assertThatThrownBy(() -> new KeyRing(List.of())).hasMessageContaining("at least one key");
    assertThatThrownBy(() -> new KeyRing(List.of(key("k1", 1), key("k1", 2))))
        .hasMessageContaining("share the token tag");
    assertThat(key("k1", 1).toString()).doesNotContain("1, 1");
  }

  /** Written by the release before owners existed, with the key {@code k1} above. */
  private static final String VERSION_1_TOKEN = "ARsSNFZ4av2GwGr9hvwCczL4uXbwLnerH66df7ddwhVe";

  @Test
  void aTokenIssuedBeforeOwnersExistedStillVerifiesAndIsWrittenTheSameWay() {
    assertThat(codec.decode(VERSION_1_TOKEN)).isEqualTo(token);
    assertThat(codec.encode(token)).isEqualTo(VERSION_1_TOKEN);
  }

  private final AffinityToken withOwners =
      new AffinityToken(0x12345678, "s2", 1_795_000_000L, 1_795_000_060L, 3, List.of("s2", "s3"));

  @Test
  void ownersAndEpochRoundTripInVersion2() {
    String text = codec.encode(withOwners);
    assertThat(codec.decode(text)).isEqualTo(withOwners);
    // 19 header bytes + "s2" + count + 2 x (1 + 2) + 16 MAC bytes = 44 bytes = 59 characters.
    assertThat(text).hasSize(59);
    AffinityToken epochOnly = new AffinityToken(1, "s1", 10, 10, 1, List.of());
    assertThat(codec.decode(codec.encode(epochOnly))).isEqualTo(epochOnly);
    AffinityToken many =
        withOwners.withOwners(List.of("a", "bb", "ccc", "dddd", "e", "f", "g", "h"));
    assertThat(codec.decode(codec.encode(many))).isEqualTo(many);
    assertThatThrownBy(
            () ->
                codec.encode(
                    withOwners.withOwners(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 8 owners");
  }

  @Test
  void rejectsEverySingleByteTamperOfAVersion2Token() {
    String text = codec.encode(withOwners);
    byte[] raw = new byte[64];
    int n = TokenCodec.unbase64(text, raw);
    for (int i = 0; i < n; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] b = Arrays.copyOf(raw, n);
        b[i] ^= (byte) (1 << bit);
        assertThat(codec.decode(TokenCodec.base64(b, n))).as("byte %d bit %d", i, bit).isNull();
      }
    }
  }

  @Test
  void anOwnerCannotBeAddedDroppedOrTheVersionDowngradedWithoutTheKey() {
    byte[] raw = new byte[64];
    int n = TokenCodec.unbase64(codec.encode(withOwners), raw);
    // drop the last owner (count 1, bytes cut) keeping the old MAC
    byte[] cut = Arrays.copyOf(raw, n - 3);
    cut[19 + 2] = 1;
    System.arraycopy(raw, n - 16, cut, cut.length - 16, 16);
    assertThat(codec.decode(TokenCodec.base64(cut, cut.length))).isNull();
    // claim version 1 over the same bytes
    byte[] v1 = Arrays.copyOf(raw, n);
    v1[0] = 1;
    assertThat(codec.decode(TokenCodec.base64(v1, n))).isNull();
    // an owner count that overruns the token
    byte[] over = Arrays.copyOf(raw, n);
    over[19 + 2] = 8;
    assertThat(codec.decode(TokenCodec.base64(over, n))).isNull();
    // signed with another key
    TokenCodec other = new TokenCodec(new KeyRing(List.of(key("k1", 2))));
    assertThat(codec.decode(other.encode(withOwners))).isNull();
  }

  @Test
  void aBindingNamesServerAndEpochAndDiffersAfterAMoveOrForANewSession() {
    AffinityToken t = new AffinityToken(7, "s1", 100, 100);
    assertThat(t.binding()).isEqualTo("s1; epoch=" + (7L << 32));
    AffinityToken back = t.movedTo("s2", 101).movedTo("s1", 102);
    assertThat(back.server()).isEqualTo("s1");
    assertThat(back.epoch()).isEqualTo(2);
    assertThat(back.binding()).isNotEqualTo(t.binding());
    assertThat(new AffinityToken(8, "s1", 100, 100).binding()).isNotEqualTo(t.binding());
    assertThat(new AffinityToken(-1, "s1", 1, 1, -1, List.of()).binding())
        .isEqualTo("s1; epoch=18446744073709551615");
  }
}
