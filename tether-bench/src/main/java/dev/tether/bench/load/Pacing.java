package dev.tether.bench.load;

import java.time.Duration;

/**
 * When each virtual user sends. Latency is always measured from the <em>intended</em> send time, so
 * under the open model a stalled server is charged for every request it kept waiting, not just the
 * one it stalled on (coordinated omission, as Gil Tene describes it and wrk2 corrects it).
 *
 * <ul>
 *   <li>{@link #closed()}: each user sends its next request as soon as the previous answer arrived;
 *       the intended time is the actual send time.
 *   <li>{@link #open}: each of {@code users} users sends every {@code users / rate} seconds, their
 *       phases spread evenly, whatever the server does; a late answer does not move the schedule.
 * </ul>
 */
public interface Pacing {

  /**
   * The intended time of user {@code user}'s first request, for a run that starts at {@code start}.
   */
  long first(long start, int user);

  /**
   * The intended time of the request after the one intended at {@code intended} and answered at
   * {@code now}.
   */
  long next(long intended, long now);

  /** The closed model. */
  static Pacing closed() {
    return new Pacing() {
      @Override
      public long first(long start, int user) {
        return start;
      }

      @Override
      public long next(long intended, long now) {
        return now;
      }
    };
  }

  /** The open model: {@code rate} requests per second in all, over {@code users} users. */
  static Pacing open(double rate, int users) {
    if (!(rate > 0) || users < 1) {
      throw new IllegalArgumentException(
          "rate " + rate + " and users " + users + " must be positive");
    }
    long interval = Math.max(1, Math.round(users * 1e9 / rate));
    return new Pacing() {
      @Override
      public long first(long start, int user) {
        return start + interval * user / users;
      }

      @Override
      public long next(long intended, long now) {
        return intended + interval;
      }
    };
  }

  /** The interval of an open model, for reports. */
  static Duration interval(double rate, int users) {
    return Duration.ofNanos(Math.round(users * 1e9 / rate));
  }
}
