package dev.tether.proxy.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.RetriesConfig;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1_000));

  @Test
  void allowsTheRatioOfRequestsOverTheWindow() {
    RetryBudget budget = new RetryBudget(0.2, 0, now::get);
    for (int i = 0; i < 100; i++) {
      budget.onRequest();
    }
    int allowed = 0;
    while (budget.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(20);
    for (int i = 0; i < 5; i++) {
      budget.onRequest();
    }
    assertThat(budget.tryRetry()).as("five more requests earn one retry").isTrue();
    assertThat(budget.tryRetry()).isFalse();
  }

  @Test
  void theReserveAllowsRetriesOnAQuietPool() {
    RetryBudget budget = new RetryBudget(0.2, 1, now::get);
    int allowed = 0;
    while (budget.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).as("one per second over the 10 s window").isEqualTo(10);
  }

  @Test
  void requestsAndRetriesAgeOutOfTheWindow() {
    RetryBudget budget = new RetryBudget(0.5, 0, now::get);
    for (int i = 0; i < 10; i++) {
      budget.onRequest();
    }
    for (int i = 0; i < 5; i++) {
      assertThat(budget.tryRetry()).isTrue();
    }
    assertThat(budget.tryRetry()).isFalse();
    now.addAndGet(TimeUnit.SECONDS.toNanos(9));
    assertThat(budget.tryRetry()).as("still inside the window").isFalse();
    budget.onRequest();
    budget.onRequest();
    assertThat(budget.tryRetry()).as("two more requests earn one").isTrue();
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    // the first second's 10 requests and 5 retries left the window; 2 requests and 1 retry remain
    assertThat(budget.tryRetry()).isFalse();
    budget.onRequest();
    budget.onRequest();
    assertThat(budget.tryRetry()).isTrue();
    now.addAndGet(TimeUnit.SECONDS.toNanos(30));
    assertThat(budget.tryRetry()).as("nothing in the window, no reserve").isFalse();
  }

  @Test
  void onlyIdempotentMethodsAndListedServerErrorsAreRetried() {
    Retries r = new Retries(new RetriesConfig(1, Set.of(503), 1024, 0.2, 10), now::get);
    assertThat(r.mayRetry("GET")).isTrue();
    assertThat(r.mayRetry("PUT")).isTrue();
    assertThat(r.mayRetry("DELETE")).isTrue();
    assertThat(r.mayRetry("HEAD")).isTrue();
    assertThat(r.mayRetry("OPTIONS")).isTrue();
    assertThat(r.mayRetry("POST")).isFalse();
    assertThat(r.mayRetry("PATCH")).isFalse();
    assertThat(r.retriesOn(503)).isTrue();
    assertThat(r.retriesOn(500)).isFalse();
    Retries never = new Retries(new RetriesConfig(0, Set.of(), 1024, 0.2, 10), now::get);
    assertThat(never.mayRetry("GET")).isFalse();
  }
}
