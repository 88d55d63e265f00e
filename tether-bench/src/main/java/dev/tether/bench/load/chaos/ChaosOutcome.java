package dev.tether.bench.load.chaos;

/**
 * What one chaos action did.
 *
 * @param action the action as scheduled
 * @param target the instance it acted on (for {@code kill-serving}, the one chosen)
 * @param atMillis when it was sent, from the start of the run
 * @param status the admin API's status, 0 when it could not be reached or the action was not sent
 * @param message the admin API's answer or why it failed
 * @param rePinMillis milliseconds until every user had been served again after it; {@code null}
 *     when that did not happen before the next action or the end
 */
public record ChaosOutcome(
    String action, String target, long atMillis, int status, String message, Long rePinMillis) {

  /** This outcome with its re-pin time. */
  public ChaosOutcome withRePin(Long millis) {
    return new ChaosOutcome(action, target, atMillis, status, message, millis);
  }
}
