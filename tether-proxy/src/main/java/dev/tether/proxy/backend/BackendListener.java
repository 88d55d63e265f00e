package dev.tether.proxy.backend;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/**
 * Receives what a borrowed backend connection produces for the exchange that holds it. Called on
 * the connection's event loop, which is also the client connection's loop.
 */
public interface BackendListener {

  /** A decoded response object: a head, content, or the last content. Ownership passes on. */
  void onResponse(Channel backend, HttpObject msg);

  /** The backend's read batch ended: a good time to flush the client side. */
  void onResponseReadComplete(Channel backend);

  /** The backend connection's writability changed (request body back-pressure). */
  void onBackendWritabilityChanged(Channel backend);

  /**
   * The connection closed or failed while this exchange held it.
   *
   * @param cause the error, or {@code null} for an orderly close
   */
  void onBackendClosed(Channel backend, Throwable cause);

  /** The backend sent nothing for the configured server timeout while a response was due. */
  void onBackendTimeout(Channel backend);
}
