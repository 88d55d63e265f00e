package dev.tether.demo.store;

import static java.util.Objects.requireNonNull;

import dev.tether.demo.chat.ChatBus;
import dev.tether.session.spi.SessionStore;

/**
 * What one application instance holds of the store: its session store, its chat bus, and the two
 * ways to let go of them.
 *
 * @param sessions the instance's session store
 * @param chat the instance's chat bus
 * @param shared whether other instances see these sessions (then a near cache sits in front)
 * @param crash releases everything at once, as a dying process would (no goodbye to peers)
 * @param release releases everything gracefully
 */
public record InstanceStore(
    SessionStore sessions, ChatBus chat, boolean shared, Runnable crash, Runnable release) {

  public InstanceStore {
    requireNonNull(sessions, "sessions");
    requireNonNull(chat, "chat");
    requireNonNull(crash, "crash");
    requireNonNull(release, "release");
  }
}
