package dev.tether.bench.load.scenario;

import static java.util.Objects.requireNonNull;

/**
 * What a user flow made of a reply.
 *
 * @param kind ok, an error, or a lost or stale session
 * @param expected what the user expected, for the report's samples ({@code ""} when ok)
 * @param got what came back instead
 */
public record Verdict(Kind kind, String expected, String got) {

  /** The verdict of a reply that matched. */
  public static final Verdict OK = new Verdict(Kind.OK, "", "");

  /** The classes of reply. */
  public enum Kind {
    /** As expected. */
    OK,
    /** A wrong status or unreadable body that says nothing about the session. */
    ERROR,
    /** The session is gone or holds someone else's or older state. */
    LOST_SESSION
  }

  public Verdict {
    requireNonNull(kind, "kind");
    requireNonNull(expected, "expected");
    requireNonNull(got, "got");
  }

  /** An error verdict. */
  public static Verdict error(String expected, String got) {
    return new Verdict(Kind.ERROR, expected, got);
  }

  /** A lost-session verdict. */
  public static Verdict lost(String expected, String got) {
    return new Verdict(Kind.LOST_SESSION, expected, got);
  }
}
