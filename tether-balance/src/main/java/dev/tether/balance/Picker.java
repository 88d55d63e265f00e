package dev.tether.balance;

/**
 * Chooses a server for a request that is not bound to one. A picker is built by the control plane
 * from one immutable list of members and never changes; it is replaced, not mutated, when
 * membership, weights or states change (STYLE habit 2).
 *
 * <p>Implementations are thread-safe and take no lock: per-pick state is limited to atomic
 * counters.
 *
 * <pre>{@code
 * Member m = picker.pick(request);
 * if (m == null) {
 *   // no server can take new work: answer 503
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Picker {

  /**
   * Returns the member that should serve {@code request}, or {@code null} when no member accepts
   * new work (all DOWN, DRAINING or DISABLED, or the pool is empty).
   */
  Member pick(PickRequest request);

  /**
   * Like {@link #pick} but avoiding {@code excluded} (a server that just refused a connection);
   * returns {@code null} when no other member accepts new work.
   */
  default Member pickExcluding(PickRequest request, Member excluded) {
    for (int attempt = 0; attempt < 8; attempt++) {
      Member m = pick(request);
      if (m == null || !m.name().equals(excluded.name())) {
        return m;
      }
    }
    return null;
  }
}
