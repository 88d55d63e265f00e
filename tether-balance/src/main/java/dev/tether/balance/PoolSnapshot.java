package dev.tether.balance;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One immutable view of a pool: its members with their states, and the picker built over them.
 * Request threads load the current snapshot once into a local and use only that (STYLE habit 2).
 */
public record PoolSnapshot(String pool, List<Member> members, Map<String, Member> byName, Picker picker) {

  public PoolSnapshot {
    requireNonNull(pool, "pool");
    members = List.copyOf(members);
    byName = Map.copyOf(byName);
    requireNonNull(picker, "picker");
  }

  /** The member called {@code name}, or {@code null} when the pool has no such server. */
  public Member member(String name) {
    return byName.get(name);
  }
}
