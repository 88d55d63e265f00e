package dev.tether.proxy.frontend;

import dev.tether.balance.Member;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.affinity.AffinityHeaders;
import dev.tether.proxy.route.Upstream;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How an exchange chooses its server: the pool's picker, wrapped by its affinity policy when it has
 * one. The exchange asks the same questions either way (prepare, pick, another after a failure, the
 * response head), so it never asks whether the pool has affinity.
 *
 * <p>Both implementations are stateless singletons; per-connection affinity state lives in the
 * {@link ConnectionAffinity} passed in. Called on the exchange's event loop.
 */
sealed interface ServerPicker {

  /** The picker for {@code up}'s pool. */
  static ServerPicker of(Upstream up) {
    return up.affinity() == null ? Unbound.INSTANCE : Sticky.INSTANCE;
  }

  /**
   * Starts what {@link #pick} must wait for, or returns {@code null} (see {@link
   * AffinityPolicy#prepare}).
   */
  CompletionStage<?> prepare(Exchange e);

  /** The first choice for {@code e}. */
  PickResult pick(Exchange e, ConnectionAffinity pins);

  /**
   * Another server for {@code e} after {@code e.member} failed, without committing to it: the
   * exchange and {@code pins} are updated by {@link #commit} once the retry goes ahead.
   */
  PickResult another(Exchange e);

  /** {@code e} goes ahead with {@code chosen} (a pick, or another's server or refusal). */
  default void commit(Exchange e, PickResult chosen, ConnectionAffinity pins) {
    e.affinity = chosen.decision();
    if (chosen.member() != null) {
      e.member = chosen.member();
    }
  }

  /**
   * What the response head carries that the picker must read before the proxy strips it; may be
   * {@code null}.
   */
  String beforeStrip(Exchange e, HttpHeaders response);

  /**
   * Applies {@code e}'s decision to the final response head ({@code owners}: see {@link
   * #beforeStrip}).
   */
  void onResponse(Exchange e, HttpHeaders response, String owners);

  /** {@code mode/outcome} of {@code e}'s decision for the access log, or {@code null}. */
  String label(Exchange e);

  /** A pool without affinity: every request is balanced by the pool's picker. */
  final class Unbound implements ServerPicker {
    static final Unbound INSTANCE = new Unbound();

    @Override
    public CompletionStage<?> prepare(Exchange e) {
      return null;
    }

    @Override
    public PickResult pick(Exchange e, ConnectionAffinity pins) {
      Member m = e.upstream.pool().snapshot().picker().pick(e.view);
      return m == null ? PickResult.NONE : PickResult.server(m, null);
    }

    @Override
    public PickResult another(Exchange e) {
      Member m = e.upstream.pool().snapshot().picker().pickExcluding(e.view, e.member);
      return m == null ? PickResult.NONE : PickResult.server(m, null);
    }

    @Override
    public String beforeStrip(Exchange e, HttpHeaders response) {
      return null;
    }

    @Override
    public void onResponse(Exchange e, HttpHeaders response, String owners) {}

    @Override
    public String label(Exchange e) {
      return null;
    }
  }

  /** A pool with an affinity policy: it decides, re-pins after failures and writes its cookie. */
  final class Sticky implements ServerPicker {
    static final Sticky INSTANCE = new Sticky();

    /**
     * {@code mode/outcome} for every outcome, built once per mode so a request concatenates
     * nothing.
     */
    private static final ConcurrentHashMap<String, String[]> LABELS = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<?> prepare(Exchange e) {
      return e.upstream.affinity().prepare(e.view);
    }

    @Override
    public PickResult pick(Exchange e, ConnectionAffinity pins) {
      AffinityDecision d = pins.decide(e.upstream.affinity(), e.upstream, e.view);
      if (d.outcome() == AffinityOutcome.REFUSED) {
        return PickResult.refused(PickResult.STRICT, d);
      }
      return d.member() == null ? PickResult.refused(null, d) : PickResult.server(d.member(), d);
    }

    @Override
    public PickResult another(Exchange e) {
      AffinityDecision d =
          e.upstream.affinity().redispatch(e.affinity, e.view, e.upstream.pool().snapshot());
      if (d.outcome() == AffinityOutcome.REFUSED) {
        return PickResult.refused("the client is bound to it (affinity on-failure: strict)", d);
      }
      return d.member() == null ? PickResult.refused(null, d) : PickResult.server(d.member(), d);
    }

    @Override
    public void commit(Exchange e, PickResult chosen, ConnectionAffinity pins) {
      ServerPicker.super.commit(e, chosen, pins);
      if (chosen.member() != null) {
        pins.pin = chosen.member().name();
      }
    }

    @Override
    public String beforeStrip(Exchange e, HttpHeaders response) {
      return AffinityHeaders.owners(response);
    }

    @Override
    public void onResponse(Exchange e, HttpHeaders response, String owners) {
      AffinityHeaders.apply(e.upstream, e.affinity, response, owners);
    }

    @Override
    public String label(Exchange e) {
      if (e.affinity == null) {
        return null;
      }
      String mode = e.upstream.affinity().mode();
      String[] byOutcome = LABELS.get(mode);
      if (byOutcome == null) {
        byOutcome = LABELS.computeIfAbsent(mode, Sticky::labels);
      }
      return byOutcome[e.affinity.outcome().ordinal()];
    }

    private static String[] labels(String mode) {
      AffinityOutcome[] outcomes = AffinityOutcome.values();
      String[] out = new String[outcomes.length];
      for (AffinityOutcome o : outcomes) {
        out[o.ordinal()] = mode + "/" + o.label();
      }
      return out;
    }
  }
}
