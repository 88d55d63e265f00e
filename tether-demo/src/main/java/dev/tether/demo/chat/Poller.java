package dev.tether.demo.chat;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers what a polled store holds: every {@link #INTERVAL} it reads the recent messages, hands
 * the ones not seen before to the subscriber in id order, and remembers the last few thousand ids.
 * Used where the store has no publish/subscribe (JDBC, files). One daemon thread, stopped by {@link
 * #close}.
 */
final class Poller implements AutoCloseable {

  /** How often the store is read. */
  static final Duration INTERVAL = Duration.ofMillis(500);

  private static final Logger log = LoggerFactory.getLogger(Poller.class);
  private static final int REMEMBER = 4096;

  private final Supplier<List<ChatMessage>> recent;
  private final SequencedSet<String> seen = new LinkedHashSet<>();
  private final ScheduledExecutorService timer;
  private volatile Consumer<ChatMessage> subscriber = m -> {};

  /** Starts polling {@code recent} (oldest first); what it holds now counts as already seen. */
  Poller(String name, Supplier<List<ChatMessage>> recent) {
    this.recent = recent;
    recent.get().forEach(m -> seen.add(m.id()));
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::poll, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  void subscribe(Consumer<ChatMessage> s) {
    subscriber = s;
  }

  private void poll() {
    try {
      for (ChatMessage m : recent.get()) {
        if (seen.add(m.id())) {
          subscriber.accept(m);
          if (seen.size() > REMEMBER) {
            seen.removeFirst();
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("chat poll failed; trying again in {}: {}", INTERVAL, e.toString());
    }
  }

  @Override
  public void close() {
    subscriber = m -> {};
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
