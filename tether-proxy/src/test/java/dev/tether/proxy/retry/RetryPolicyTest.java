package dev.tether.proxy.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.RetriesConfig;
import dev.tether.proxy.retry.Retries.Failure;
import dev.tether.proxy.retry.Retries.Verdict;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lifecycle rules of {@link Retries#afterFailure}, one failure kind at a time. */
class RetryPolicyTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1_000));
  private final Retries retries =
      new Retries(new RetriesConfig(1, Set.of(503), 64 * 1024, 0.2, 10), now::get);

  /** An attempt with every field settable. */
  private static final class A implements Attempt {
    boolean idempotent = true;
    boolean started;
    boolean replayable = true;
    boolean reused;
    int resends;
    int connectRetries;
    int errorRetries;

    @Override
    public boolean idempotent() {
      return idempotent;
    }

    @Override
    public boolean responseStarted() {
      return started;
    }

    @Override
    public boolean replayable() {
      return replayable;
    }

    @Override
    public boolean reusedConnection() {
      return reused;
    }

    @Override
    public int resends() {
      return resends;
    }

    @Override
    public int connectRetries() {
      return connectRetries;
    }

    @Override
    public int errorRetries() {
      return errorRetries;
    }
  }

  @Test
  void aConnectFailureGoesElsewhereOnceWhateverTheMethodAndOutsideTheBudget() {
    A post = new A();
    post.idempotent = false;
    post.replayable = false;
    Retries spent = new Retries(new RetriesConfig(1, Set.of(), 0, 0, 0), now::get);
    assertThat(spent.afterFailure(Failure.CONNECT, 0, post)).isEqualTo(Verdict.ELSEWHERE);
    post.connectRetries = 1;
    assertThat(spent.afterFailure(Failure.CONNECT, 0, post)).isEqualTo(Verdict.NONE);
  }

  @Test
  void aReusedConnectionClosedBeforeTheHeadIsResentOnceOnAFreshOne() {
    A a = new A();
    a.reused = true;
    assertThat(retries.afterFailure(Failure.CLOSED, 0, a)).isEqualTo(Verdict.RESEND);
    a.resends = 1; // the fresh connection closed too: another server, by the general rule
    assertThat(retries.afterFailure(Failure.CLOSED, 0, a)).isEqualTo(Verdict.ELSEWHERE);
  }

  @Test
  void aRequestThatMustNotBeSentTwiceIsNeverResentNorRetriedAfterTheServerMayHaveSeenIt() {
    A post = new A();
    post.idempotent = false;
    post.reused = true;
    assertThat(retries.afterFailure(Failure.CLOSED, 0, post)).isEqualTo(Verdict.NONE);
    assertThat(retries.afterFailure(Failure.STATUS, 503, post)).isEqualTo(Verdict.NONE);
  }

  @Test
  void aBodyPastTheReplayBufferOrAStartedResponseIsNotRetried() {
    A a = new A();
    a.replayable = false;
    assertThat(retries.afterFailure(Failure.CLOSED, 0, a)).isEqualTo(Verdict.NONE);
    A b = new A();
    b.started = true;
    assertThat(retries.afterFailure(Failure.CLOSED, 0, b)).isEqualTo(Verdict.NONE);
  }

  @Test
  void onlyTheConfiguredStatusesAndAttemptsCount() {
    A a = new A();
    assertThat(retries.afterFailure(Failure.STATUS, 500, a)).isEqualTo(Verdict.NONE);
    assertThat(retries.afterFailure(Failure.STATUS, 503, a)).isEqualTo(Verdict.ELSEWHERE);
    a.errorRetries = 1;
    assertThat(retries.afterFailure(Failure.STATUS, 503, a)).isEqualTo(Verdict.NONE);
  }

  @Test
  void aTimeoutIsNeverRetried() {
    assertThat(retries.afterFailure(Failure.TIMEOUT, 0, new A())).isEqualTo(Verdict.NONE);
  }

  @Test
  void theBudgetBoundsRetriesAfterTheServerMayHaveSeenTheRequest() {
    // minPerSecond 1 over the 10 s window and no ratio: 10 retries, then spent
    Retries tight = new Retries(new RetriesConfig(1, Set.of(503), 0, 0, 1), now::get);
    int allowed = 0;
    Verdict v;
    while ((v = tight.afterFailure(Failure.STATUS, 503, new A())) == Verdict.ELSEWHERE) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(10);
    assertThat(v).isEqualTo(Verdict.BUDGET_SPENT);
    assertThat(tight.afterFailure(Failure.CONNECT, 0, new A()))
        .as("connect failures take no budget")
        .isEqualTo(Verdict.ELSEWHERE);
  }
}
