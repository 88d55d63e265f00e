package dev.tether.balance;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Time and randomness for pickers, injected so that slow start, EWMA decay and random choices are
 * testable without sleeping (STYLE habit 7).
 *
 * @param ticker monotonic nanoseconds, {@link System#nanoTime()} in production
 * @param random the random source for the calling thread; {@link ThreadLocalRandom#current()} in
 *     production, a seeded generator in tests
 */
public record BalanceEnv(LongSupplier ticker, Supplier<RandomGenerator> random) {

  public static final BalanceEnv SYSTEM =
      new BalanceEnv(System::nanoTime, ThreadLocalRandom::current);

  public BalanceEnv {
    requireNonNull(ticker, "ticker");
    requireNonNull(random, "random");
  }
}
