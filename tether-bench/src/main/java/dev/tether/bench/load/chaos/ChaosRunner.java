package dev.tether.bench.load.chaos;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs a chaos schedule on its own thread, at its times from the start of the load, through the
 * admin API.
 */
public final class ChaosRunner {

  private final List<ChaosAction> actions;
  private final AdminClient admin;
  private final String pool;
  private final ChaosHooks hooks;
  private final LongSupplier nanoClock;
  private final List<ChaosOutcome> outcomes = new ArrayList<>();
  private Thread thread;
  private String lastKilled;

  /** A runner of {@code actions} against {@code admin}; {@code pool} names the balancer pool. */
  public ChaosRunner(
      List<ChaosAction> actions,
      AdminClient admin,
      String pool,
      ChaosHooks hooks,
      LongSupplier nanoClock) {
    this.actions = List.copyOf(actions);
    this.admin = requireNonNull(admin, "admin");
    this.pool = requireNonNull(pool, "pool");
    this.hooks = requireNonNull(hooks, "hooks");
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
  }

  /** Starts the schedule; times count from {@code startNanos}. */
  public void start(long startNanos) {
    thread = Thread.ofPlatform().daemon().name("tether-bench-chaos").start(() -> run(startNanos));
  }

  private void run(long startNanos) {
    try {
      for (int i = 0; i < actions.size(); i++) {
        ChaosAction a = actions.get(i);
        long due = startNanos + a.at().toNanos();
        long wait;
        while ((wait = due - nanoClock.getAsLong()) > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        ChaosOutcome o = execute(a, i, startNanos);
        synchronized (outcomes) {
          outcomes.add(o);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private ChaosOutcome execute(ChaosAction a, int index, long startNanos)
      throws InterruptedException {
    String target = a.target();
    long sent = nanoClock.getAsLong();
    long at = TimeUnit.NANOSECONDS.toMillis(sent - startNanos);
    if (a.verb() == ChaosAction.Verb.KILL_SERVING) {
      target = hooks.busiestInstance();
      if (target == null) {
        return new ChaosOutcome(
            a.toString(), null, at, 0, "no instance has answered yet; nothing killed", null);
      }
    }
    if (a.verb() == ChaosAction.Verb.START_KILLED) {
      target = lastKilled;
      if (target == null) {
        return new ChaosOutcome(
            a.toString(), null, at, 0, "no instance was killed before; nothing started", null);
      }
    }
    if (a.verb() == ChaosAction.Verb.KILL || a.verb() == ChaosAction.Verb.KILL_SERVING) {
      hooks.killing(target);
      lastKilled = target;
    }
    hooks.acting();
    AdminClient.Answer answer = admin.post(AdminClient.callFor(a, target, pool));
    if (a.verb() == ChaosAction.Verb.KILL || a.verb() == ChaosAction.Verb.KILL_SERVING) {
      hooks.killDone(target);
    }
    String message = answer.body();
    if ((answer.status() == 404 || answer.status() == 405)
        && a.verb() == ChaosAction.Verb.ADD
        && a.address() != null) {
      message =
          "the admin API has no add-server endpoint (POST /api/pools/"
              + pool
              + "/servers answered "
              + answer.status()
              + "): "
              + message;
    } else if (answer.status() == 404) {
      message =
          "404 (is the balancer running in demo mode, and is "
              + target
              + " a known name?): "
              + message;
    }
    hooks.acted(index, answer.ok(), nanoClock.getAsLong());
    return new ChaosOutcome(a.toString(), target, at, answer.status(), message, null);
  }

  /**
   * Stops the schedule and returns one outcome per action, in order; an action not yet run is
   * reported as such.
   */
  public List<ChaosOutcome> stop() throws InterruptedException {
    if (thread != null) {
      thread.interrupt();
      thread.join(15_000);
    }
    synchronized (outcomes) {
      List<ChaosOutcome> all = new ArrayList<>(outcomes);
      for (int i = all.size(); i < actions.size(); i++) {
        ChaosAction a = actions.get(i);
        all.add(
            new ChaosOutcome(
                a.toString(),
                a.target(),
                a.at().toMillis(),
                0,
                "not run: the load ended first",
                null));
      }
      return List.copyOf(all);
    }
  }
}
