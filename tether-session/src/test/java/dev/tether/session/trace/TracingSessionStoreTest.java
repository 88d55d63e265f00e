package dev.tether.session.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.SessionIdDigest;
import dev.tether.session.SessionIdGenerator;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TracingSessionStoreTest {

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final SessionIdDigest digest = new SessionIdDigest(new SecureRandom());
  private final SessionStore store =
      TracingSessionStore.wrap(new MemorySessionStore(clock), "memory", otel, digest);
  private final String id = new SessionIdGenerator().next();

  @AfterEach
  void close() {
    otel.close();
  }

  private SessionRecord session(String sid) {
    return SessionRecord.create(
        sid,
        clock.instant(),
        Duration.ofMinutes(30),
        Duration.ofHours(8),
        null,
        Map.of("cart", new byte[] {1, 2}));
  }

  @Test
  void everyOperationIsAChildSpanOfTheCurrentContextWithStoreOperationAndOutcome() {
    Span parent =
        otel.getTracer("test").spanBuilder("GET /cart").setSpanKind(SpanKind.SERVER).startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      store.create(session(id));
      store.load(id);
      store.currentVersion(id);
      store.save(SessionDelta.builder(id, 1).set("cart", new byte[] {3}).build());
      String rotated = new SessionIdGenerator().next();
      store.rotateId(id, rotated);
      store.load(id);
      store.delete(rotated);
      store.sweepExpired(10);
    } finally {
      parent.end();
    }
    List<SpanData> ops =
        spans.getFinishedSpanItems().stream()
            .filter(s -> !s.getName().equals("GET /cart"))
            .toList();
    assertThat(ops)
        .extracting(SpanData::getName)
        .containsExactly(
            "session create",
            "session load",
            "session current-version",
            "session save",
            "session rotate-id",
            "session load",
            "session delete",
            "session sweep-expired");
    assertThat(ops)
        .allSatisfy(
            s -> {
              assertThat(s.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
              assertThat(s.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
              assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT);
              assertThat(s.getAttributes().get(TracingSessionStore.STORE)).isEqualTo("memory");
            });
    assertThat(ops)
        .extracting(s -> s.getAttributes().get(TracingSessionStore.OUTCOME))
        .containsExactly("saved", "hit", "hit", "saved", "saved", "miss", "deleted", "none");
    assertThat(ops.get(3).getAttributes().get(TracingSessionStore.OPERATION)).isEqualTo("save");
  }

  @Test
  void theSessionIdIsNeverRecordedOnlyItsDigest() {
    store.create(session(id));
    store.load(id);
    for (SpanData s : spans.getFinishedSpanItems()) {
      assertThat(s.getAttributes().get(TracingSessionStore.ID_DIGEST)).isEqualTo(digest.of(id));
      s.getAttributes().forEach((k, v) -> assertThat(String.valueOf(v)).doesNotContain(id));
      assertThat(s.getName()).doesNotContain(id);
    }
    assertThat(spans.getFinishedSpanItems()).hasSize(2);
  }

  @Test
  void withoutACurrentSpanEachOperationIsARoot() {
    assertThat(store.load(id)).isEmpty();
    SpanData s = spans.getFinishedSpanItems().getFirst();
    assertThat(s.getParentSpanContext().isValid()).isFalse();
    assertThat(s.getAttributes().get(TracingSessionStore.OUTCOME)).isEqualTo("miss");
  }

  @Test
  void aFailingStoreCallIsAnErrorSpanAndTheExceptionStillPropagates() {
    SessionStore failing = TracingSessionStore.wrap(new BrokenSessionStore(), otel);
    assertThatThrownBy(() -> failing.load(id))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("store is down");
    SpanData s = spans.getFinishedSpanItems().getFirst();
    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(s.getAttributes().get(TracingSessionStore.OUTCOME)).isEqualTo("error");
    assertThat(s.getAttributes().get(TracingSessionStore.STORE)).isEqualTo("broken");
    assertThat(s.getEvents()).extracting(e -> e.getName()).containsExactly("exception");
  }

  @Test
  void anUnsampledContextRecordsNothingAndStillDelegates() {
    OpenTelemetrySdk off =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setSampler(Sampler.alwaysOff())
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    SessionStore s = TracingSessionStore.wrap(new MemorySessionStore(clock), off);
    s.create(session(id));
    assertThat(s.load(id)).isPresent();
    assertThat(spans.getFinishedSpanItems()).isEmpty();
    off.close();
  }

  @Test
  void storeNameComesFromTheClass() {
    assertThat(TracingSessionStore.nameOf(new MemorySessionStore(clock))).isEqualTo("memory");
    assertThat(TracingSessionStore.nameOf(new BrokenSessionStore())).isEqualTo("broken");
    assertThat(AttributeKey.stringKey("tether.session.store")).isEqualTo(TracingSessionStore.STORE);
  }

  /** A store whose backend is unreachable. */
  private static final class BrokenSessionStore implements SessionStore {
    @Override
    public Optional<SessionRecord> load(String id) {
      throw new IllegalStateException("store is down");
    }

    @Override
    public OptionalLong currentVersion(String id) {
      throw new IllegalStateException("store is down");
    }

    @Override
    public dev.tether.session.spi.SaveResult create(SessionRecord s) {
      throw new IllegalStateException("store is down");
    }

    @Override
    public dev.tether.session.spi.SaveResult save(SessionDelta d) {
      throw new IllegalStateException("store is down");
    }

    @Override
    public boolean delete(String id) {
      throw new IllegalStateException("store is down");
    }

    @Override
    public dev.tether.session.spi.SaveResult rotateId(String a, String b) {
      throw new IllegalStateException("store is down");
    }

    @Override
    public Set<String> findByPrincipal(String p) {
      throw new IllegalStateException("store is down");
    }

    @Override
    public List<SessionRecord> sweepExpired(int limit) {
      throw new IllegalStateException("store is down");
    }
  }
}
