package dev.tether.session;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The listeners of a {@link SessionManager} as one: the builder's, then those added later. Shared
 * by the manager and its services, so that a listener added to the manager hears them all.
 */
final class SessionListeners {

  private final SessionListener base;
  private final List<SessionListener> added = new ArrayList<>();
  private volatile SessionListener all;

  SessionListeners(SessionListener base) {
    this.base = requireNonNull(base, "listener");
    this.all = base;
  }

  /** Every listener, as one. */
  SessionListener all() {
    return all;
  }

  synchronized void add(SessionListener l) {
    requireNonNull(l, "listener");
    added.add(l);
    all = SessionListener.all(list());
  }

  synchronized void remove(SessionListener l) {
    if (added.remove(l)) {
      all = SessionListener.all(list());
    }
  }

  private List<SessionListener> list() {
    List<SessionListener> ls = new ArrayList<>(added.size() + 1);
    ls.add(base);
    ls.addAll(added);
    return ls;
  }
}
