package dev.tether.proxy.health;

import java.util.Locale;

/**
 * What a server asks for in its health response's {@code Tether-State} header (HAProxy's agent
 * check, over HTTP). A response without the header asks for {@link #READY}.
 */
public enum AgentState {
  /** Serve normally: undo a drain or down this server asked for earlier. */
  READY,
  /** Keep the sessions bound to this server, take no new ones ({@code DRAINING}). */
  DRAIN,
  /** Take nothing ({@code DOWN}), although the probe itself may pass. */
  DOWN;

  /** The header's spelling: {@code ready}, {@code drain}, {@code down}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
