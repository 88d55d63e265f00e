package dev.tether.proxy.transport;

/** Which Netty transport to run on. {@code AUTO} prefers epoll, then NIO. */
public enum TransportKind {
  AUTO,
  EPOLL,
  IO_URING,
  NIO
}
