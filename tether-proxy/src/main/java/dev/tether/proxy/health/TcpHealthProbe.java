package dev.tether.proxy.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A TCP connect check ({@code kind: tcp}): passes when the server accepts a connection within the
 * timeout, which is closed at once without a byte sent (HAProxy's plain {@code check}). For servers
 * that speak something other than HTTP, or whose HTTP has no health path.
 */
public final class TcpHealthProbe implements HealthProbe {

  @Override
  public Result probe(InetSocketAddress address, Duration timeout) {
    if (address.isUnresolved()) {
      return Result.fail("address " + address.getHostString() + " does not resolve");
    }
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
      return Result.pass("TCP connect in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    } catch (SocketTimeoutException e) {
      return Result.fail("no TCP connect within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      return Result.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
