package dev.tether.proxy.affinity;

import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.ResponseHeaders;
import dev.tether.proxy.route.Upstream;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * The header side of affinity. On the response head: lets the pool's policy add its cookie, learn
 * from the backend's {@code Set-Cookie} and from its {@code Tether-Session-Owners} (read before the
 * proxy strips it, see {@link #owners}), then adds the {@value Upstream#AFFINITY_HEADER} debug
 * header ({@code mode; outcome; server}) when the pool asks for it. On the request head: tells the
 * server the binding the request arrived under ({@code Tether-Binding}, see {@link #binding}).
 */
public final class AffinityHeaders implements ResponseHeaders {

  /** App → balancer: the instances holding the session in memory, primary first. */
  public static final AsciiString SESSION_OWNERS = AsciiString.cached("tether-session-owners");

  /** Balancer → app: the binding a request arrived under, {@code server; epoch=n}. */
  public static final AsciiString BINDING = AsciiString.cached("tether-binding");

  private final HttpHeaders headers;
  private final String owners;

  private AffinityHeaders(HttpHeaders headers, String owners) {
    this.headers = headers;
    this.owners = owners;
  }

  /**
   * The backend's {@code Tether-Session-Owners}, to be read before the response's balancer headers
   * are removed; {@code null} when absent.
   */
  public static String owners(HttpHeaders backendResponse) {
    return backendResponse.get(SESSION_OWNERS);
  }

  /**
   * Sets {@code Tether-Binding} on a request about to be sent upstream when {@code decision} sends
   * it under a token naming its server, and removes it otherwise (a retry may go elsewhere); the
   * client's own value was removed with the other balancer headers.
   */
  public static void binding(AffinityDecision decision, HttpHeaders request) {
    String b = decision == null ? null : decision.binding();
    if (b != null) {
      request.set(BINDING, b);
    } else {
      request.remove(BINDING);
    }
  }

  /** Applies {@code decision} of {@code upstream}'s policy to a final response head. */
  public static void apply(Upstream upstream, AffinityDecision decision, HttpHeaders headers) {
    apply(upstream, decision, headers, null);
  }

  /**
   * Applies {@code decision} of {@code upstream}'s policy to a final response head whose backend
   * named the session's {@code owners} (see {@link #owners}; {@code null} when it named none).
   */
  public static void apply(
      Upstream upstream, AffinityDecision decision, HttpHeaders headers, String owners) {
    if (upstream.affinity() == null) {
      return;
    }
    upstream.affinity().onResponse(decision, new AffinityHeaders(headers, owners));
    if (upstream.affinityHeader()) {
      headers.set(
          Upstream.AFFINITY_HEADER,
          upstream.affinity().mode()
              + "; "
              + decision.outcome().label()
              + "; "
              + (decision.member() == null ? "-" : decision.member().name()));
    }
  }

  @Override
  public List<String> getAll(String name) {
    return headers.getAll(name);
  }

  @Override
  public void add(String name, String value) {
    headers.add(name, value);
  }

  @Override
  public String sessionOwners() {
    return owners;
  }
}
