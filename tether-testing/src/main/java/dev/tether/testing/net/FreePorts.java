package dev.tether.testing.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports that were free a moment ago, for peers that must know their ports before they
 * start (a grid's static member list, a configuration file, a server started later in a test).
 *
 * <p>The ports are chosen below the kernel's ephemeral range, so an outgoing connection made in the
 * meantime (by the test, the balancer or anything else on the machine) cannot take one as its local
 * port: a port the kernel hands out for {@code bind(0)} is also one it may hand out to the next
 * {@code connect}, and a server started on it later would then fail with "address already in use".
 * All ports are held open together while being chosen, so they are distinct.
 */
public final class FreePorts {

  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;
  private static final int ATTEMPTS = 1_000;

  private FreePorts() {}

  /** {@code n} distinct loopback ports below the ephemeral range, each just bound and released. */
  public static List<Integer> loopback(int n) {
    int high = ephemeralLow();
    List<ServerSocket> open = new ArrayList<>();
    try {
      for (int attempt = 0; open.size() < n; attempt++) {
        if (attempt == ATTEMPTS) {
          throw new IllegalStateException(
              "no "
                  + n
                  + " free loopback ports in "
                  + LOWEST
                  + ".."
                  + (high - 1)
                  + " after "
                  + ATTEMPTS
                  + " attempts");
        }
        int port = ThreadLocalRandom.current().nextInt(LOWEST, high);
        ServerSocket s = new ServerSocket();
        try {
          s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
          open.add(s);
        } catch (IOException taken) {
          s.close();
        }
      }
      return open.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : open) {
        try {
          s.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** The first port of the kernel's ephemeral range (Linux), or the IANA default 49152. */
  static int ephemeralLow() {
    try {
      String[] range = Files.readString(RANGE).trim().split("\\s+");
      int low = Integer.parseInt(range[0]);
      return low > LOWEST + 1_000 ? low : 49_152;
    } catch (IOException | RuntimeException e) {
      return 49_152;
    }
  }
}
