package dev.tether.session.spring.boot;

import static java.util.Objects.requireNonNull;

/**
 * A {@code tether.session.*} property that cannot be used; stops start-up, and {@link
 * TetherSessionFailureAnalyzer} turns it into Spring Boot's failure report.
 */
public final class InvalidSessionPropertyException extends RuntimeException {

  private final String property;
  private final String value;
  private final String allowed;

  /**
   * @param property the full property name, e.g. {@code tether.session.cookie.same-site}
   * @param value the value found, or {@code null}
   * @param problem what is wrong with it
   * @param allowed what would be accepted
   */
  public InvalidSessionPropertyException(String property, String value, String problem, String allowed) {
    super("invalid property " + requireNonNull(property, "property") + (value == null ? "" : "='" + value + "'")
        + ": " + requireNonNull(problem, "problem") + "; allowed: " + requireNonNull(allowed, "allowed"));
    this.property = property;
    this.value = value;
    this.allowed = allowed;
  }

  /** The full property name. */
  public String property() {
    return property;
  }

  /** The value found, or {@code null}. */
  public String value() {
    return value;
  }

  /** What would be accepted. */
  public String allowed() {
    return allowed;
  }
}
