package dev.tether.balance.affinity;

import dev.tether.balance.Fixtures.ManualTicker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A wall clock that moves with a {@link ManualTicker}: one time source for tokens and tables. */
final class TickerClock extends Clock {

  private static final long EPOCH_MILLIS = 1_795_000_000_000L;
  private final ManualTicker ticker;

  TickerClock(ManualTicker ticker) {
    this.ticker = ticker;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public long millis() {
    return EPOCH_MILLIS + ticker.getAsLong() / 1_000_000L;
  }
}
