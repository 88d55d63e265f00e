package dev.tether.demo;

import static java.util.Objects.requireNonNull;

/**
 * One application instance of a {@link DemoCluster}: its name ({@code s1}, {@code s2}, …), the
 * loopback address it listens on (kept across kill and start), and whether it runs now.
 */
public record DemoInstance(String name, String host, int port, boolean running) {

  public DemoInstance {
    requireNonNull(name, "name");
    requireNonNull(host, "host");
  }

  /** {@code host:port}, as a balancer's server list wants it. */
  public String address() {
    return host + ":" + port;
  }
}
