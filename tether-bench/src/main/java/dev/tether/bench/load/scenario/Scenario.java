package dev.tether.bench.load.scenario;

/**
 * A kind of user: what each virtual user does and checks. Implementations are thread-safe; each
 * {@link UserFlow} they make is confined to its user.
 */
public interface Scenario {

  /** The name in reports. */
  String name();

  /** A new flow for user number {@code user} (0-based, unique within a run). */
  UserFlow newUser(int user);
}
