package dev.tether.testing.time;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A {@link Clock} that stands still until a test moves it, so expiry, back-off and rotation are
 * tested without sleeping. The one fake time source of the tests: code that reads wall time takes
 * the clock, code that reads a monotonic ticker ({@code System::nanoTime} in production) takes
 * {@link #ticker()}, and both move together.
 *
 * <p>Thread-safe; every copy made by {@link #withZone} shares the same time (and ticker).
 */
public final class SettableClock extends Clock {

  /** Where {@link #ticker()} stands at the start: not zero, as a real ticker rarely is. */
  private static final long TICKER_START = 1_000_000_000L;

  private final AtomicReference<Instant> now;
  private final Instant start;
  private final ZoneId zone;

  /** A clock at {@code start}, UTC. */
  public SettableClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  /** A clock at {@code start} in {@code zone}. */
  public SettableClock(Instant start, ZoneId zone) {
    this(
        new AtomicReference<>(requireNonNull(start, "start")), start, requireNonNull(zone, "zone"));
  }

  private SettableClock(AtomicReference<Instant> now, Instant start, ZoneId zone) {
    this.now = now;
    this.start = start;
    this.zone = zone;
  }

  /** Moves the clock forward by {@code d} (which must not be negative) and returns the new time. */
  public Instant advance(Duration d) {
    requireNonNull(d, "d");
    if (d.isNegative()) {
      throw new IllegalArgumentException("cannot move a clock backwards by " + d);
    }
    return now.updateAndGet(t -> t.plus(d));
  }

  /** Moves the clock forward by {@code amount} {@code unit}s and returns the new time. */
  public Instant advance(long amount, TimeUnit unit) {
    return advance(Duration.of(amount, requireNonNull(unit, "unit").toChronoUnit()));
  }

  /**
   * Sets the clock to {@code t}, backwards too (a wall clock can be stepped back); {@link
   * #ticker()} follows, so a test of monotonic time only {@linkplain #advance advances}.
   */
  public void set(Instant t) {
    now.set(requireNonNull(t, "t"));
  }

  /**
   * This clock as a nanosecond ticker, for code that takes a {@code LongSupplier} in place of
   * {@code System::nanoTime}: it starts at an arbitrary value and moves exactly as the clock does.
   */
  public LongSupplier ticker() {
    return () -> TICKER_START + Duration.between(start, now.get()).toNanos();
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId z) {
    return new SettableClock(now, start, requireNonNull(z, "z"));
  }
}
