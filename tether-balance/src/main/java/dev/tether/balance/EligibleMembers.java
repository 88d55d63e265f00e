package dev.tether.balance;

import java.util.Comparator;
import java.util.List;

/**
 * Which members a picker may choose for new work: {@link Member#acceptsNew()} (state {@code UP},
 * not ejected; in panic mode health is ignored) and weight above zero (weight 0 means "no new
 * work", as in HAProxy). Shared by every algorithm so that they agree on it.
 */
public final class EligibleMembers {

  /** The picker of a pool where no member accepts new work: always {@code null} (503). */
  public static final Picker NONE = request -> null;

  private EligibleMembers() {}

  /** The members that accept new work, in configuration order. */
  public static Member[] inOrder(List<Member> members) {
    return members.stream().filter(EligibleMembers::accepts).toArray(Member[]::new);
  }

  /**
   * The members that accept new work, sorted by server name, so that pickers built from the same
   * servers listed in a different order behave identically (hash tables must agree across balancer
   * instances).
   */
  public static Member[] byName(List<Member> members) {
    Member[] ms = inOrder(members);
    java.util.Arrays.sort(ms, Comparator.comparing(Member::name));
    return ms;
  }

  /** Whether {@code m} may be chosen for new work. */
  public static boolean accepts(Member m) {
    return m.acceptsNew() && m.weight() > 0;
  }

  /**
   * The first member of {@code ms} other than {@code excluded}, scanning from {@code start} and
   * wrapping around; {@code null} when there is none. The last resort of {@code pickExcluding}.
   */
  public static Member firstOther(Member[] ms, Member excluded, int start) {
    int n = ms.length;
    for (int i = 0; i < n; i++) {
      Member m = ms[(int) ((start + (long) i) % n)];
      if (!m.name().equals(excluded.name())) {
        return m;
      }
    }
    return null;
  }
}
