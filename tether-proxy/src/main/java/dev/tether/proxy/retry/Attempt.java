package dev.tether.proxy.retry;

/**
 * What a retry decision needs to know about one request's attempts so far. Implemented by the
 * exchange; read on its event loop only.
 */
public interface Attempt {

  /** GET, HEAD, OPTIONS, TRACE, PUT or DELETE (see {@link Retries#idempotent}). */
  boolean idempotent();

  /** A response head reached the client: nothing can be retried any more. */
  boolean responseStarted();

  /**
   * The whole request (head and body so far) can be sent again: nothing streamed past the replay
   * buffer.
   */
  boolean replayable();

  /** The current attempt went out on a pooled connection that had carried requests before. */
  boolean reusedConnection();

  /** Times the request was sent again to the same server on a fresh connection. */
  int resends();

  /** Times another server was tried after a connection could not be opened. */
  int connectRetries();

  /** Times another server was tried after a failure the server may have seen. */
  int errorRetries();
}
