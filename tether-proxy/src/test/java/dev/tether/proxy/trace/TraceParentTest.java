package dev.tether.proxy.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** W3C Trace Context level 1, §3.2: the receiver's parsing rules. */
class TraceParentTest {

  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT = "00f067aa0ba902b7";

  @Test
  void parsesTheSpecExampleAsARemoteSampledParent() {
    SpanContext c = TraceParent.parse("00-" + TRACE + "-" + PARENT + "-01");
    assertThat(c.getTraceId()).isEqualTo(TRACE);
    assertThat(c.getSpanId()).isEqualTo(PARENT);
    assertThat(c.isSampled()).isTrue();
    assertThat(c.isRemote()).isTrue();
  }

  @Test
  void flagsWithoutTheSampledBitAreNotSampledAndUnknownBitsAreDropped() {
    assertThat(TraceParent.parse("00-" + TRACE + "-" + PARENT + "-00").isSampled()).isFalse();
    SpanContext c = TraceParent.parse("00-" + TRACE + "-" + PARENT + "-ff");
    assertThat(c.isSampled()).isTrue();
    assertThat(c.getTraceFlags()).isEqualTo(TraceFlags.getSampled());
  }

  @Test
  void aLaterVersionMayCarryMoreAfterADash() {
    assertThat(TraceParent.parse("01-" + TRACE + "-" + PARENT + "-01-what-comes-next")).isNotNull();
    assertThat(TraceParent.parse("cc-" + TRACE + "-" + PARENT + "-01")).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00",
        "00-" + TRACE + "-" + PARENT + "-0", // short
        "00-" + TRACE + "-" + PARENT + "-01-extra", // version 00 is exactly 55 characters
        "01-" + TRACE + "-" + PARENT + "-01x", // later version: more only after a dash
        "ff-" + TRACE + "-" + PARENT + "-01", // version ff is invalid
        "0g-" + TRACE + "-" + PARENT + "-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + PARENT + "-01", // upper case
        "00-00000000000000000000000000000000-" + PARENT + "-01", // all-zero trace id
        "00-" + TRACE + "-0000000000000000-01", // all-zero parent id
        "00_" + TRACE + "-" + PARENT + "-01", // wrong separator
        "00-" + TRACE + "_" + PARENT + "-01",
        "00-" + TRACE + "-" + PARENT + "_01",
        "00-" + TRACE + "-" + PARENT + "-0z",
        " 00-" + TRACE + "-" + PARENT + "-1",
      })
  void malformedValuesCountAsAbsent(String value) {
    assertThat(TraceParent.parse(value)).isNull();
  }

  @Test
  void nullIsAbsent() {
    assertThat(TraceParent.parse(null)).isNull();
  }

  @Test
  void formatWritesVersion00WithTheContextsIdsAndFlags() {
    SpanContext c =
        SpanContext.create(TRACE, PARENT, TraceFlags.getSampled(), TraceState.getDefault());
    assertThat(TraceParent.format(c)).isEqualTo("00-" + TRACE + "-" + PARENT + "-01");
    assertThat(TraceParent.parse(TraceParent.format(c)).getSpanId()).isEqualTo(PARENT);
  }
}
