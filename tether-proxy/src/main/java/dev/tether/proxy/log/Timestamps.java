package dev.tether.proxy.log;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The time a line starts with, {@code 2026-12-03T06:41:54.123Z} (ISO 8601, milliseconds, the zone's
 * offset: {@code Z} or {@code +01:00}), which is what the log pattern of the previous access log
 * printed. The text up to the seconds is kept for the current second, so a line costs one clock
 * read and five digits. Not thread-safe: each event loop has its own.
 */
final class Timestamps {

  private final Clock clock;
  private final ZoneId zone;
  private final LineBytes second = new LineBytes(20);
  private final LineBytes offset = new LineBytes(6);
  private long cachedSecond = Long.MIN_VALUE;

  Timestamps(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    this.zone = clock.getZone();
  }

  /** Appends the current time to {@code out}. */
  void append(LineBytes out) {
    long millis = clock.millis();
    long sec = Math.floorDiv(millis, 1000);
    if (sec != cachedSecond) {
      cache(sec);
    }
    out.bytes(second.array(), 0, second.length())
        .padded((int) Math.floorMod(millis, 1000), 3)
        .bytes(offset.array(), 0, offset.length());
  }

  private void cache(long sec) {
    ZoneOffset off = zone.getRules().getOffset(Instant.ofEpochSecond(sec));
    LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, off);
    second.clear();
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      second.number(year);
    } else {
      second.padded(year, 4);
    }
    second
        .ascii('-')
        .padded(t.getMonthValue(), 2)
        .ascii('-')
        .padded(t.getDayOfMonth(), 2)
        .ascii('T')
        .padded(t.getHour(), 2)
        .ascii(':')
        .padded(t.getMinute(), 2)
        .ascii(':')
        .padded(t.getSecond(), 2)
        .ascii('.');
    offset.clear();
    int total = off.getTotalSeconds();
    if (total == 0) {
      offset.ascii('Z');
    } else {
      int abs = Math.abs(total);
      offset.ascii(total < 0 ? '-' : '+').padded(abs / 3600, 2).ascii(':').padded(abs / 60 % 60, 2);
    }
    cachedSecond = sec;
  }
}
