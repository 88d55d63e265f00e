package dev.tether.bench.load;

import io.netty.bootstrap.Bootstrap;
import java.time.Duration;
import java.util.function.LongSupplier;

/** What every virtual user of a run shares. */
interface LoadContext {

  LoadTarget target();

  /** The {@code Host} header, computed once. */
  String hostHeader();

  Pacing pacing();

  Duration timeout();

  LongSupplier clock();

  LoadStats stats();

  Bootstrap bootstrap();

  long startNanos();

  /** Users send no request intended at or after this time. */
  long endNanos();

  /**
   * User {@code user} was served as expected at {@code nanos}, answering a request sent at {@code
   * sentNanos}.
   */
  void served(int user, long sentNanos, long nanos);

  /**
   * Whether a request sent at {@code sent} to {@code instance} and failed at {@code failed} was in
   * flight while that instance was being killed.
   */
  boolean inFlightAtKill(String instance, long sent, long failed);

  /** A user sent its last request. */
  void userDone();
}
