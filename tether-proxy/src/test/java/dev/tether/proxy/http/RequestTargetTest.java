package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.junit.jupiter.api.Test;

/** Request-target forms (RFC 9112 §3.2) and the mapping of decoder failures. */
class RequestTargetTest {

  @Test
  void originFormIsForwardedAsIsUnderTheHostHeader() {
    String uri = "/cart?id=1";
    assertThat(RequestTarget.originForm(uri)).isSameAs(uri);
    assertThat(RequestTarget.authority(uri, "shop.example:8080")).isEqualTo("shop.example:8080");
    assertThat(RequestTarget.absoluteForm(uri)).isFalse();
  }

  @Test
  void absoluteFormNamesTheAuthorityAndForwardsTheOriginForm() {
    assertThat(RequestTarget.originForm("http://shop.example:8080/cart?id=1"))
        .isEqualTo("/cart?id=1");
    assertThat(RequestTarget.authority("HTTPS://shop.example:8443/cart", "other"))
        .isEqualTo("shop.example:8443");
    assertThat(RequestTarget.originForm("http://shop.example")).isEqualTo("/");
    assertThat(RequestTarget.authority("http://shop.example", null)).isEqualTo("shop.example");
    assertThat(RequestTarget.absoluteForm("ftp://shop.example/")).isFalse();
  }

  @Test
  void asteriskFormIsRoutedAsTheRootAndOtherFormsAreLeftAlone() {
    assertThat(RequestTarget.originForm("*")).isEqualTo("/");
    assertThat(RequestTarget.authority("*", "shop.example")).isEqualTo("shop.example");
    assertThat(RequestTarget.originForm("shop.example:443")).isEqualTo("shop.example:443");
    assertThat(RequestTarget.authority("shop.example:443", "h")).isEqualTo("h");
  }

  @Test
  void theHostNameDropsThePortAndKeepsIpv6Brackets() {
    assertThat(RequestTarget.hostName("shop.example:8080")).isEqualTo("shop.example");
    assertThat(RequestTarget.hostName("shop.example")).isEqualTo("shop.example");
    assertThat(RequestTarget.hostName("[::1]:8080")).isEqualTo("[::1]");
    assertThat(RequestTarget.hostName("[::1]")).isEqualTo("[::1]");
    assertThat(RequestTarget.hostName(null)).isNull();
  }

  @Test
  void decoderFailuresAreMappedByTheirType() {
    assertThat(
            FramingViolation.ofDecoderFailure(new TooLongHttpLineException("line")).status().code())
        .isEqualTo(414);
    assertThat(
            FramingViolation.ofDecoderFailure(new TooLongHttpHeaderException("head"))
                .status()
                .code())
        .isEqualTo(431);
    assertThat(
            FramingViolation.ofDecoderFailure(new TooLongFrameException("frame")).status().code())
        .isEqualTo(431);
    assertThat(FramingViolation.ofDecoderFailure(new PrematureChannelClosureException()).reason())
        .isEqualTo("connection closed before the request was complete");
    // a name that merely looks like a known failure is not one
    class TooLongHttpLineLookalike extends IllegalArgumentException {}
    assertThat(FramingViolation.ofDecoderFailure(new TooLongHttpLineLookalike()).status().code())
        .isEqualTo(400);
    assertThat(FramingViolation.ofDecoderFailure(null).status().code()).isEqualTo(400);
  }
}
