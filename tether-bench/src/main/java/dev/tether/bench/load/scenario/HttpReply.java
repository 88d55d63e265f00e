package dev.tether.bench.load.scenario;

/**
 * What came back for one {@link HttpCall}.
 *
 * @param status the HTTP status
 * @param body the body as UTF-8 text
 * @param instance the {@code X-Tether-Instance} header, or {@code null} when absent
 */
public record HttpReply(int status, String body, String instance) {

  /** The header naming the app instance that answered. */
  public static final String INSTANCE_HEADER = "X-Tether-Instance";
}
