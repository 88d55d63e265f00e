package dev.tether.proxy.frontend;

/** User event sent to every client connection when the proxy starts a graceful shutdown. */
public enum DrainSignal {
  INSTANCE
}
