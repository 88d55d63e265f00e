package dev.tether.proxy.config;

/** The Netty transport for the event loops; config key {@code transport}, default {@code auto}. */
public enum Transport {
  /** io_uring when it loads, else native epoll, else NIO. */
  AUTO,
  /** Linux epoll; start-up fails when it cannot load. */
  EPOLL,
  /** Linux io_uring (config value {@code io-uring}); start-up fails when it cannot load. */
  IO_URING,
  /** Java NIO, everywhere. */
  NIO
}
