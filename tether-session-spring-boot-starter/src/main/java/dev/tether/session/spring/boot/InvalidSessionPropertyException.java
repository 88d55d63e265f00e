package dev.tether.session.spring.boot;

import static java.util.Objects.requireNonNull;

/**
 * A {@code tether.session.*} property that cannot be used; stops start-up, and {@link
 * TetherSessionFailureAnalyzer} turns it into Spring Boot's failure report.
 */
public final class InvalidSessionPropertyException extends RuntimeException {

  private final String property;
  private final String value;
  private final String action;

  /**
   * A property whose value is wrong.
   *
   * @param property the full property name, e.g. {@code tether.session.cookie.same-site}
   * @param value the value found, or {@code null}
   * @param problem what is wrong with it
   * @param allowed what would be accepted
   */
  public InvalidSessionPropertyException(
      String property, String value, String problem, String allowed) {
    this(
        property,
        value,
        problem + "; allowed: " + requireNonNull(allowed, "allowed"),
        "Set " + property + " to one of: " + allowed + ".",
        true);
  }

  private InvalidSessionPropertyException(
      String property, String value, String detail, String action, boolean unused) {
    super(
        "invalid property "
            + requireNonNull(property, "property")
            + (value == null ? "" : "='" + value + "'")
            + ": "
            + detail);
    this.property = property;
    this.value = value;
    this.action = action;
  }

  /** A property that tether-session does not know, {@code known} listing those it does. */
  static InvalidSessionPropertyException unknown(String property, String known) {
    return new InvalidSessionPropertyException(
        property,
        null,
        "unknown property",
        "Remove " + property + " or correct its name; the known properties are " + known + ".",
        true);
  }

  /**
   * A store setting its provider refused; {@code detail} is the provider's message, which names
   * what is allowed.
   */
  static InvalidSessionPropertyException storeSetting(String store, String detail) {
    return new InvalidSessionPropertyException(
        SessionSettings.PREFIX + ".store.*",
        null,
        detail,
        "Correct the tether.session.store.<setting> properties of store '"
            + store
            + "' as the description says.",
        true);
  }

  /** The full property name. */
  public String property() {
    return property;
  }

  /** The value found, or {@code null}. */
  public String value() {
    return value;
  }

  /** What to do about it, for the failure report. */
  public String action() {
    return action;
  }
}
