package dev.tether.proxy.outlier;

import dev.tether.testing.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A scheduler over a settable clock: tasks run, in due order, when the test advances the clock. */
final class FakeScheduler implements Scheduler {

  private final SettableClock clock;
  private final List<Task> tasks = new ArrayList<>();

  private static final class Task {
    final Instant due;
    final Runnable run;
    boolean cancelled;

    Task(Instant due, Runnable run) {
      this.due = due;
      this.run = run;
    }
  }

  FakeScheduler(SettableClock clock) {
    this.clock = clock;
  }

  @Override
  public Runnable schedule(Runnable task, Duration delay) {
    Task t = new Task(clock.instant().plus(delay), task);
    tasks.add(t);
    return () -> t.cancelled = true;
  }

  /** Moves the clock by {@code d}, running every task that falls due on the way at its due time. */
  void advance(Duration d) {
    Instant end = clock.instant().plus(d);
    while (true) {
      Task next =
          tasks.stream()
              .filter(t -> !t.cancelled && !t.due.isAfter(end))
              .min(Comparator.comparing(t -> t.due))
              .orElse(null);
      if (next == null) {
        break;
      }
      tasks.remove(next);
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      next.run.run();
    }
    clock.set(end);
  }

  /** Tasks neither run nor cancelled. */
  long pending() {
    return tasks.stream().filter(t -> !t.cancelled).count();
  }
}
