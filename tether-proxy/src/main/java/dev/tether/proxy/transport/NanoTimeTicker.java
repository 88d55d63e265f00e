package dev.tether.proxy.transport;

import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The production ticker of the data plane: {@link System#nanoTime()} itself. Netty's {@link
 * Ticker#systemTicker()} counts from its class's load instead, a different origin than the {@code
 * LongSupplier} tickers of the balancing side ({@code BalanceEnv}, retry budgets, stick tables)
 * read; times one side stamps and the other compares (a server's latency stamp, say) must share an
 * origin, so the proxy passes this one.
 */
public final class NanoTimeTicker implements Ticker {

  /** The one instance. */
  public static final NanoTimeTicker INSTANCE = new NanoTimeTicker();

  private NanoTimeTicker() {}

  @Override
  public long initialNanoTime() {
    return 0;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleep(long delay, TimeUnit unit) throws InterruptedException {
    unit.sleep(delay);
  }
}
