package dev.tether.bench.load;

import io.netty.bootstrap.Bootstrap;
import java.time.Duration;
import java.util.function.LongSupplier;

/** What every virtual user of a run shares. */
interface LoadContext {

  LoadTarget target();

  Pacing pacing();

  Duration timeout();

  LongSupplier clock();

  LoadStats stats();

  Bootstrap bootstrap();

  long startNanos();

  /** Users send no request intended at or after this time. */
  long endNanos();

  /** User {@code user} was served as expected at {@code nanos}. */
  void served(int user, long nanos);

  /** A user sent its last request. */
  void userDone();
}
