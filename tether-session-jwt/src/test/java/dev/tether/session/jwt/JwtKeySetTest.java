package dev.tether.session.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JwtKeySetTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration OVERLAP = Duration.ofMinutes(6);

  private final ECKey k1 = JwtKeySet.generateEs256("k1", T0);
  private final ECKey k2 = JwtKeySet.generateEs256("k2", T0.plus(Duration.ofHours(1)));

  @Test
  void aNewKeyIsPublishedBeforeItSignsAndTheOldOneUntilItsTokensExpire() {
    JwtKeySet keys = JwtKeySet.of(List.of(k2, k1), OVERLAP);

    Instant beforeRotation = T0.plus(Duration.ofMinutes(50));
    assertThat(keys.signing(beforeRotation).jwk().getKeyID()).isEqualTo("k1");
    assertThat(kids(keys.published(beforeRotation))).containsExactly("k1", "k2");

    Instant rotation = T0.plus(Duration.ofHours(1));
    assertThat(keys.signing(rotation).jwk().getKeyID()).isEqualTo("k2");
    assertThat(kids(keys.published(rotation.plus(OVERLAP).minusMillis(1))))
        .containsExactly("k1", "k2");
    assertThat(kids(keys.published(rotation.plus(OVERLAP)))).containsExactly("k2");
  }

  @Test
  void publishedKeysArePublicAndCarryTheirAlgorithm() {
    JWKSet published = JwtKeySet.of(List.of(k1), OVERLAP).published(T0);

    JWK only = published.getKeys().getFirst();
    assertThat(only.isPrivate()).isFalse();
    assertThat(only.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(only.getNotBeforeTime()).isNull();
    assertThat(published.toString(true)).doesNotContain("\"d\"");
  }

  @Test
  void noKeySignsBeforeTheEarliestNotBefore() {
    JwtKeySet keys = JwtKeySet.of(List.of(k2), OVERLAP);

    assertThatThrownBy(() -> keys.signing(T0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no JWT key signs yet");
  }

  @Test
  void aRotationAddsAKeyToTheSameSchedule() {
    JwtKeySet keys = JwtKeySet.of(List.of(k1), OVERLAP).with(k2);

    assertThat(keys.keyIds()).containsExactly("k1", "k2");
    assertThat(keys.signing(T0.plus(Duration.ofHours(2))).jwk().getKeyID()).isEqualTo("k2");
  }

  @Test
  void badKeysAreRefusedSayingWhatIsWrong() {
    assertThatThrownBy(() -> JwtKeySet.of(List.of(), OVERLAP)).hasMessageContaining("empty");
    assertThatThrownBy(() -> JwtKeySet.of(List.of(k1.toPublicJWK()), OVERLAP))
        .hasMessageContaining("'k1' is a public key");
    assertThatThrownBy(
            () ->
                JwtKeySet.of(
                    List.of(k1, JwtKeySet.generateEs256("k1", T0.plusSeconds(1))), OVERLAP))
        .hasMessageContaining("kid 'k1' appears twice");
    assertThatThrownBy(() -> JwtKeySet.of(List.of(k1, JwtKeySet.generateEs256("k3", T0)), OVERLAP))
        .hasMessageContaining("same instant");
    assertThatThrownBy(() -> JwtKeySet.parse("{\"keys\": 3}", OVERLAP))
        .hasMessageContaining("not a valid JWK set");
  }

  @Test
  void parsesAJwkSetDocument() {
    String doc = new JWKSet(List.of(k1, k2)).toString(false);

    JwtKeySet keys = JwtKeySet.parse(doc, OVERLAP);

    assertThat(keys.keyIds()).containsExactly("k1", "k2");
  }

  private static List<String> kids(JWKSet set) {
    return set.getKeys().stream().map(JWK::getKeyID).toList();
  }
}
