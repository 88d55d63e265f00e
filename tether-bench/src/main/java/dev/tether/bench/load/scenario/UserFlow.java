package dev.tether.bench.load.scenario;

/**
 * One virtual user's walk through a scenario, with the state it expects the server to hold.
 * Confined to one thread at a time: the runner calls {@link #next}, sends, then calls exactly one
 * of {@link #check} or {@link #failed} before the next {@link #next}.
 */
public interface UserFlow {

  /** The request to send now. */
  HttpCall next();

  /** Judges the reply to {@code call} against what this user did, and moves the flow on. */
  Verdict check(HttpCall call, HttpReply reply);

  /**
   * {@code call} got no reply (connection refused, reset, timed out) or a 5xx from the balancer;
   * whether it took effect is unknown, and the flow must not count on either outcome.
   */
  void failed(HttpCall call);
}
