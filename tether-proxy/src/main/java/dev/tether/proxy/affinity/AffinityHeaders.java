package dev.tether.proxy.affinity;

import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.ResponseHeaders;
import dev.tether.proxy.route.Upstream;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * The response-head side of affinity: lets the pool's policy add its cookie and learn from the
 * backend's {@code Set-Cookie}, then adds the {@value Upstream#AFFINITY_HEADER} debug header
 * ({@code mode; outcome; server}) when the pool asks for it.
 */
public final class AffinityHeaders implements ResponseHeaders {

  private final HttpHeaders headers;

  private AffinityHeaders(HttpHeaders headers) {
    this.headers = headers;
  }

  /** Applies {@code decision} of {@code upstream}'s policy to a final response head. */
  public static void apply(Upstream upstream, AffinityDecision decision, HttpHeaders headers) {
    if (upstream.affinity() == null) {
      return;
    }
    upstream.affinity().onResponse(decision, new AffinityHeaders(headers));
    if (upstream.affinityHeader()) {
      headers.set(Upstream.AFFINITY_HEADER, upstream.affinity().mode() + "; " + decision.outcome().label() + "; "
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
}
