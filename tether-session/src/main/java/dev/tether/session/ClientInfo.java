package dev.tether.session;

import static java.util.Objects.requireNonNull;

/**
 * What a request tells about its client, for binding sessions to it ({@link SessionPolicy.Binding})
 * and counting unknown ids per address.
 *
 * <pre>{@code
 * ClientInfo c = new ClientInfo(request.getRemoteAddr(), request.getHeader("User-Agent"));
 * }</pre>
 *
 * @param address the client's address as the server sees it (an IP literal, or any other text,
 *     which is then compared whole)
 * @param userAgent the {@code User-Agent} header, {@code ""} when the request had none, or {@code
 *     null} when the caller does not know it (then it is neither bound nor compared)
 * @param balancerBinding the binding the balancer says the request arrived under ({@code
 *     Tether-Binding: server; epoch=n}), or {@code null}; a near cache may serve a session it holds
 *     under the same binding without a store call ({@link
 *     dev.tether.session.spi.SessionStore#load(String, String)})
 */
public record ClientInfo(String address, String userAgent, String balancerBinding) {

  public ClientInfo {
    requireNonNull(address, "address");
  }

  /** A client without a balancer binding. */
  public ClientInfo(String address, String userAgent) {
    this(address, userAgent, null);
  }

  /** A client known only by its address. */
  public static ClientInfo ofAddress(String address) {
    return new ClientInfo(address, null);
  }
}
