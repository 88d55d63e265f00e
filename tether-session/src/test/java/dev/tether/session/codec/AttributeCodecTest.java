package dev.tether.session.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class AttributeCodecTest {

  /** A registered application type. */
  public record Cart(List<String> items, int total) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] key() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  private static AttributeCodec codec(int compressAbove, EncryptionKeys keys) {
    return new AttributeCodec(
        new JsonAttributeSerializer().allow("cart", Cart.class).allow("scored", Scored.class),
        new AttributeCodec.Options(compressAbove, 1 << 20, keys),
        RANDOM);
  }

  @Test
  void plainJsonValuesRoundTripWithoutRegistration() {
    AttributeCodec c = AttributeCodec.json();
    Map<String, Object> value = Map.of("name", "Ada", "age", 36, "tags", List.of("a", "b"));
    byte[] stored = c.encode("user", value);

    assertThat(new String(stored, 2, stored.length - 2, StandardCharsets.UTF_8))
        .contains("\"Ada\"");
    assertThat(c.decode("user", stored)).isEqualTo(value);
    assertThat(c.decode("n", c.encode("n", 5_000_000_000L))).isEqualTo(5_000_000_000L);
    assertThat(c.decode("b", c.encode("b", true))).isEqualTo(true);
  }

  @Test
  void registeredTypesRoundTripAndOthersAreRefusedBothWays() {
    AttributeCodec c = codec(1024, null);
    Cart cart = new Cart(List.of("tea"), 3);
    assertThat(c.decode("cart", c.encode("cart", cart))).isEqualTo(cart);

    assertThatThrownBy(() -> c.encode("d", new Date()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.util.Date")
        .hasMessageContaining("allow(");
    byte[] forged =
        "\u0001\u0000{\"@t\":\"java.lang.ProcessBuilder\",\"v\":{}}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> c.decode("x", forged))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not registered");
  }

  @Test
  void valuesOverTheThresholdAreDeflated() {
    AttributeCodec c = codec(100, null);
    String big = "abc".repeat(1000);
    byte[] stored = c.encode("big", big);
    byte[] small = c.encode("small", "abc");

    assertThat(stored[1] & 1).isEqualTo(1);
    assertThat(stored.length).isLessThan(300);
    assertThat(small[1] & 1).isZero();
    assertThat(c.decode("big", stored)).isEqualTo(big);
  }

  @Test
  void deflateBombIsRefused() {
    AttributeCodec c =
        new AttributeCodec(
            new JsonAttributeSerializer(), new AttributeCodec.Options(10, 10_000, null), RANDOM);
    byte[] zeros = new byte[1_000_000];
    Deflater d = new Deflater();
    d.setInput(zeros);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1);
    out.write(1);
    byte[] buf = new byte[4096];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();

    assertThatThrownBy(() -> c.decode("bomb", out.toByteArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void encryptedValuesHideThePlaintextAndRoundTrip() {
    AttributeCodec c = codec(1024, EncryptionKeys.ofRaw("k1", Map.of("k1", key())));
    byte[] stored = c.encode("secret", "card-4111111111111111");

    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("4111");
    assertThat(AttributeCodec.keyIdOf(stored)).isEqualTo("k1");
    assertThat(c.decode("secret", stored)).isEqualTo("card-4111111111111111");
    assertThat(c.encode("secret", "x")).as("random nonce").isNotEqualTo(c.encode("secret", "x"));
  }

  @Test
  void tamperedOrMovedCiphertextIsRejected() {
    AttributeCodec c = codec(1024, EncryptionKeys.ofRaw("k1", Map.of("k1", key())));
    byte[] stored = c.encode("role", "user");
    byte[] tampered = stored.clone();
    tampered[tampered.length - 1] ^= 1;

    assertThatThrownBy(() -> c.decode("role", tampered))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("failed authentication");
    assertThatThrownBy(() -> c.decode("otherAttribute", stored))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keyRotationKeepsOldValuesReadable() {
    byte[] k1 = key();
    byte[] k2 = key();
    AttributeCodec before = codec(1024, EncryptionKeys.ofRaw("k1", Map.of("k1", k1)));
    byte[] old = before.encode("a", "old");
    AttributeCodec after = codec(1024, EncryptionKeys.ofRaw("k2", Map.of("k1", k1, "k2", k2)));
    byte[] fresh = after.encode("a", "new");

    assertThat(after.decode("a", old)).isEqualTo("old");
    assertThat(AttributeCodec.keyIdOf(fresh)).isEqualTo("k2");
    AttributeCodec retired = codec(1024, EncryptionKeys.ofRaw("k2", Map.of("k2", k2)));
    assertThatThrownBy(() -> retired.decode("a", old))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'k1'");
  }

  @Test
  void compressionAndEncryptionCombine() {
    AttributeCodec c = codec(10, EncryptionKeys.ofRaw("k", Map.of("k", key())));
    List<String> big = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      big.add("item");
    }
    byte[] stored = c.encode("l", big);
    assertThat(stored[1]).isEqualTo((byte) 3);
    assertThat(c.decode("l", stored)).isEqualTo(big);
  }

  @Test
  void badKeysAreRefusedWithAReason() {
    assertThatThrownBy(() -> EncryptionKeys.ofRaw("k", Map.of("k", new byte[10])))
        .hasMessageContaining("16, 24 or 32");
    assertThatThrownBy(() -> EncryptionKeys.ofRaw("x", Map.of("k", key())))
        .hasMessageContaining("not among");
  }

  @Test
  void javaSerializationOnlyInstantiatesAllowedClasses() {
    JavaAttributeSerializer strings = new JavaAttributeSerializer(Set.of("java.lang.String"));
    assertThat(strings.deserialize(strings.serialize("hello"))).isEqualTo("hello");

    byte[] date = strings.serialize(new Date(0));
    assertThatThrownBy(() -> strings.deserialize(date))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allow-list");
    assertThatThrownBy(() -> new JavaAttributeSerializer(Set.of()))
        .hasMessageContaining("allow-list is empty");
  }

  @Test
  void nonFiniteNumbersAreRefusedAtWriteInsteadOfComingBackAsStrings() {
    AttributeCodec c = AttributeCodec.json();
    for (Object value :
        List.<Object>of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            List.of(1.5, Double.NEGATIVE_INFINITY),
            Map.of("score", Double.NaN))) {
      assertThatThrownBy(() -> c.encode("score", value))
          .as("%s", value)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("JSON numbers are finite");
    }
    assertThatThrownBy(() -> codec(1024, null).encode("cart", new Scored(Double.NaN)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
    assertThat(c.decode("score", c.encode("score", -0.0))).isEqualTo(-0.0);
  }

  /** A registered type with a decimal field. */
  public record Scored(double score) {}

  @Test
  void aSealedValueCutRightAfterItsFlagsIsRefusedAsTruncated() {
    AttributeCodec c = codec(1024, EncryptionKeys.ofRaw("k1", Map.of("k1", key())));
    assertThatThrownBy(() -> c.decode("cart", new byte[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cart' is truncated");
  }

  @Test
  void aPlainMapWithATypeKeyOfItsOwnComesBackAsThatMap() {
    AttributeCodec c = codec(1024, null);
    Map<String, Object> looksLikeACart =
        Map.of("@t", "cart", "v", Map.of("items", List.of("tea"), "total", 3));
    Map<String, Object> looksUnregistered = Map.of("@t", "x", "other", 1);
    assertThat(c.decode("m", c.encode("m", looksLikeACart))).isEqualTo(looksLikeACart);
    assertThat(c.decode("m", c.encode("m", looksUnregistered))).isEqualTo(looksUnregistered);
    assertThat(
            c.decode(
                "m", "\u0001\u0000{\"@t\":\"x\",\"other\":1}".getBytes(StandardCharsets.UTF_8)))
        .as("written before such maps were wrapped")
        .isEqualTo(looksUnregistered);
    assertThatThrownBy(() -> new JsonAttributeSerializer().allow("", Cart.class))
        .hasMessageContaining("must not be empty");
  }
}
