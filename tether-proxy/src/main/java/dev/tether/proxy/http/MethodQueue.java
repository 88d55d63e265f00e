package dev.tether.proxy.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayDeque;

/**
 * The methods of requests waiting for their answers, oldest first, as a codec needs them to know
 * which answers have no body ({@code HEAD}). The oldest is kept in a field and a queue is made only
 * when a second request waits, so a connection that never pipelines holds a few words. Confined to
 * one event loop.
 */
public final class MethodQueue {

  private HttpMethod oldest; // null when none waits
  private ArrayDeque<HttpMethod> later; // made when a second request first waits
  private int size;

  /** Adds the method of a request that now waits for its answer. */
  public void add(HttpMethod method) {
    if (size++ == 0) {
      oldest = method;
    } else {
      if (later == null) {
        later = new ArrayDeque<>(4);
      }
      later.add(method);
    }
  }

  /** Removes and returns the oldest waiting method, or {@code null} when none waits. */
  public HttpMethod poll() {
    HttpMethod method = oldest;
    if (size > 0) {
      size--;
      oldest = size == 0 ? null : later.poll();
    }
    return method;
  }

  /** How many requests wait. */
  public int size() {
    return size;
  }
}
