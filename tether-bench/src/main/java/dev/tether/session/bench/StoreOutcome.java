package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

/**
 * One store's line in the report: measured, skipped or failed.
 *
 * @param store the store's command-line name
 * @param status {@code ok}, {@code skipped (set VARIABLE)} or {@code failed: reason}
 * @param result the figures when {@code status} is {@code ok}, else {@code null}
 */
public record StoreOutcome(String store, String status, StoreResult result) {

  public StoreOutcome {
    requireNonNull(store, "store");
    requireNonNull(status, "status");
    if (status.equals("ok") != (result != null)) {
      throw new IllegalArgumentException("a result goes with status ok and only with it");
    }
  }

  /** Measured. */
  public static StoreOutcome measured(StoreResult result) {
    return new StoreOutcome(result.store(), "ok", result);
  }

  /** Not run because {@code variable} is unset. */
  public static StoreOutcome skipped(StoreTarget target, String variable) {
    return new StoreOutcome(target.label(), "skipped (set " + variable + ")", null);
  }

  /** Could not be measured. */
  public static StoreOutcome failed(StoreTarget target, Throwable cause) {
    String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != cause) {
      reason += " (" + root + ")";
    }
    return new StoreOutcome(target.label(), "failed: " + reason, null);
  }
}
