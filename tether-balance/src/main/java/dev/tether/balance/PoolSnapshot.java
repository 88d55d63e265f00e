package dev.tether.balance;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One immutable view of a pool: its members with their states, the picker built over them, and
 * whether the pool is in panic mode (too few healthy servers, so the picker ignores health).
 * Request threads load the current snapshot once into a local and use only that (STYLE habit 2).
 */
public record PoolSnapshot(
    String pool, List<Member> members, Map<String, Member> byName, Picker picker, boolean panic) {

  public PoolSnapshot {
    requireNonNull(pool, "pool");
    members = List.copyOf(members);
    byName = Map.copyOf(byName);
    requireNonNull(picker, "picker");
  }

  /** A snapshot not in panic mode. */
  public PoolSnapshot(
      String pool, List<Member> members, Map<String, Member> byName, Picker picker) {
    this(pool, members, byName, picker, false);
  }

  /** The member called {@code name}, or {@code null} when the pool has no such server. */
  public Member member(String name) {
    return byName.get(name);
  }

  /** How many members are ejected by outlier detection. */
  public int ejectedCount() {
    int n = 0;
    for (Member m : members) {
      if (m.ejected()) {
        n++;
      }
    }
    return n;
  }
}
