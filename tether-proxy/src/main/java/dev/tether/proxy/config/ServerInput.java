package dev.tether.proxy.config;

import java.time.Duration;

/**
 * Checks a server given at run time (through the admin API) by the same rules as {@code
 * pools.<pool>.servers[i]} in the file, so that what the API accepts can be written back to the
 * file. Every method throws {@link IllegalArgumentException} whose message starts with the field
 * name and says what is allowed.
 */
public final class ServerInput {

  /** The weight range of {@code servers[i].weight}. */
  public static final int MIN_WEIGHT = 0;

  /** The weight range of {@code servers[i].weight}. */
  public static final int MAX_WEIGHT = 256;

  /** A weight that is not given. */
  public static final int DEFAULT_WEIGHT = 1;

  private ServerInput() {}

  /**
   * A server called {@code name} at {@code address} with {@code weight}; its route is its name.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public static ServerConfig server(String name, String address, int weight) {
    checkName(name);
    HostPort hp;
    try {
      hp = HostPort.parse(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("address: " + e.getMessage());
    }
    if (hp.port() == 0) {
      throw new IllegalArgumentException(
          "address: port 0 is not allowed for a server; use 1..65535");
    }
    checkWeight(weight);
    return new ServerConfig(name, hp, weight, name);
  }

  /**
   * @throws IllegalArgumentException when {@code name} is not a server name
   */
  public static void checkName(String name) {
    if (!NameRules.isSimpleName(name)) {
      throw new IllegalArgumentException(
          "name: '" + name + "' is not a server name; " + NameRules.SIMPLE);
    }
  }

  /**
   * @throws IllegalArgumentException when {@code weight} is outside {@value #MIN_WEIGHT}..{@value
   *     #MAX_WEIGHT}
   */
  public static void checkWeight(long weight) {
    if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "weight: "
              + weight
              + " is out of range; use "
              + MIN_WEIGHT
              + ".."
              + MAX_WEIGHT
              + " (0 = no new work)");
    }
  }

  /**
   * A duration in the configuration's syntax ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}).
   *
   * @param field the name the error message starts with
   * @throws IllegalArgumentException saying what is wrong and what is allowed
   */
  public static Duration duration(String field, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage());
    }
  }
}
