package dev.tether.session.servlet;

import dev.tether.session.circuit.StoreUnavailableException;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/**
 * Saves a request's session when its async cycle ends (completes, times out or fails); stays
 * registered across cycles. An outage of the store is answered with the {@code 503} of the request,
 * and on a timeout or an error the cycle is completed (else the container would answer 500).
 */
final class AsyncCommit implements AsyncListener {

  private final SessionRequest request;

  AsyncCommit(SessionRequest request) {
    this.request = request;
  }

  @Override
  public void onComplete(AsyncEvent event) {
    try {
      commitFromListener(event, false);
    } finally {
      request.finish();
    }
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    commitFromListener(event, true);
  }

  @Override
  public void onError(AsyncEvent event) {
    StoreUnavailableException down = StoreUnavailableException.find(event.getThrowable());
    if (down != null && !request.answeredUnavailable()) {
      // the async work failed on the store (e.g. an uncaught exception from a dispatch)
      request.unavailableInAsync(down, false);
      try {
        event.getAsyncContext().complete();
      } catch (IllegalStateException over) {
        // already completed
      }
      return;
    }
    commitFromListener(event, true);
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    event.getAsyncContext().addListener(this); // the Servlet API drops listeners per cycle
  }

  /**
   * A save from a listener of the async cycle: an outage is answered with the {@code 503} and, on a
   * timeout or an error, the cycle is completed (else the container would answer 500).
   */
  private void commitFromListener(AsyncEvent event, boolean completeOnOutage) {
    if (request.answeredUnavailable()) {
      return;
    }
    try {
      request.commit();
    } catch (StoreUnavailableException e) {
      request.unavailableInAsync(e, false);
      if (completeOnOutage) {
        try {
          event.getAsyncContext().complete();
        } catch (IllegalStateException over) {
          // already completed
        }
      }
    }
  }
}
