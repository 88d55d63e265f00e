package dev.tether.session.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JdbcSessionStoreProviderTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private static Map<String, String> h2(String... more) {
    Map<String, String> s = new HashMap<>();
    s.put("url", "jdbc:h2:mem:provider" + TestDatabase.randomSuffix() + ";DB_CLOSE_DELAY=-1");
    s.put("user", "sa");
    for (int i = 0; i < more.length; i += 2) {
      s.put(more[i], more[i + 1]);
    }
    return s;
  }

  @Test
  void foundByNameBuildsAWorkingStoreOnItsOwnPool() {
    assertThat(SessionStoreRegistry.providers()).containsKey("jdbc");
    try (SessionStore s =
        SessionStoreRegistry.create("jdbc", h2("pool-size", "3", "table-prefix", "app_"), clock)) {
      assertThat(s).isInstanceOf(CircuitBreakingStore.class);
      assertThat(((JdbcSessionStore) CircuitBreakingStore.unwrap(s)).dialectName()).isEqualTo("H2");
      SessionRecord r =
          SessionRecord.create(
              "abc", clock.instant(), Duration.ofMinutes(5), Duration.ofHours(1), "u", Map.of());
      assertThat(s.create(r).isSaved()).isTrue();
      assertThat(s.load("abc")).contains(r);
    }
  }

  @Test
  void missingOrMalformedUrlSaysWhatIsExpected() {
    assertThatThrownBy(() -> SessionStoreRegistry.create("jdbc", Map.of(), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'url'")
        .hasMessageContaining("jdbc:postgresql://");
    assertThatThrownBy(
            () -> SessionStoreRegistry.create("jdbc", Map.of("url", "jdbc:oracle:thin:@x"), clock))
        .hasMessageContaining("must start with one of")
        .hasMessageContaining("jdbc:mariadb:");
  }

  @Test
  void badPoolSizePrefixOrUnknownSettingIsNamedWithWhatIsAllowed() {
    for (String bad : new String[] {"0", "201", "ten", ""}) {
      assertThatThrownBy(() -> SessionStoreRegistry.create("jdbc", h2("pool-size", bad), clock))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'pool-size'")
          .hasMessageContaining("1 to 200");
    }
    for (String bad : new String[] {"1abc", "x;DROP TABLE y", "a-b", "x".repeat(31)}) {
      assertThatThrownBy(() -> SessionStoreRegistry.create("jdbc", h2("table-prefix", bad), clock))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("table prefix")
          .hasMessageContaining("letter followed by");
    }
    assertThatThrownBy(() -> SessionStoreRegistry.create("jdbc", h2("pool", "3"), clock))
        .hasMessageContaining("[pool]")
        .hasMessageContaining("pool-size");
  }

  @Test
  void anEmptyPrefixAndTheLongestPrefixAreAccepted() {
    assertThat(new TableNames("").sessions()).isEqualTo("sessions");
    assertThat(new TableNames("x".repeat(TableNames.MAX_PREFIX)).schemaVersion())
        .hasSizeLessThan(64);
  }

  @Test
  void anUnreachableDatabaseIsReportedAsSuch() {
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create(
                    "jdbc",
                    Map.of("url", "jdbc:h2:file:/nonexistent-dir/x;IFEXISTS=TRUE", "user", "sa"),
                    clock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot open a connection pool");
  }

  @Test
  void replicaUrlsAreCheckedEntryByEntryAgainstThePrimarysScheme() {
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create("jdbc", h2("replica-urls", "jdbc:h2:mem:a,,x"), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'replica-urls'")
        .hasMessageContaining("empty entry at position 2")
        .hasMessageContaining("separated by commas");
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create(
                    "jdbc", h2("replica-urls", "jdbc:h2:mem:a, jdbc:mysql://r/db"), clock))
        .hasMessageContaining("replica 2")
        .hasMessageContaining("must start with 'jdbc:h2:'");
    String many = String.join(",", java.util.Collections.nCopies(17, "jdbc:h2:mem:r"));
    assertThatThrownBy(() -> SessionStoreRegistry.create("jdbc", h2("replica-urls", many), clock))
        .hasMessageContaining("17 replicas")
        .hasMessageContaining("at most 16");
    assertThat(
            JdbcSessionStoreProvider.replicaUrls(
                " jdbc:postgresql://r1/db ,jdbc:postgresql://r2/db", "jdbc:postgresql://p/db"))
        .containsExactly("jdbc:postgresql://r1/db", "jdbc:postgresql://r2/db");
    assertThat(JdbcSessionStoreProvider.replicaUrls(" ", "jdbc:postgresql://p/db")).isEmpty();
  }

  @Test
  void replicaReadsNameWhichReadsGoToReplicas() {
    assertThat(JdbcSessionStoreProvider.replicaReads(null))
        .containsExactlyInAnyOrder("principal-listings", "sweeps");
    assertThat(JdbcSessionStoreProvider.replicaReads(" sweeps ")).containsExactly("sweeps");
    for (String bad : new String[] {"", "loads", "sweeps,,principal-listings"}) {
      assertThatThrownBy(() -> SessionStoreRegistry.create("jdbc", h2("replica-reads", bad), clock))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'replica-reads'")
          .hasMessageContaining("[principal-listings, sweeps]");
    }
  }

  @Test
  void principalListingsStayOnThePrimaryWhenReplicaReadsOmitsThem() {
    try (SessionStore s =
        SessionStoreRegistry.create(
            "jdbc",
            h2(
                "replica-urls",
                "jdbc:h2:file:/nonexistent-dir/replica;IFEXISTS=TRUE",
                "replica-reads",
                "sweeps"),
            clock)) {
      assertThat(s.findByPrincipal("u")).isEmpty();
      ReplicaReads reads = ((JdbcSessionStore) CircuitBreakingStore.unwrap(s)).replicaReads();
      assertThat(reads.servedByPrimary()).as("not even tried on a replica").isZero();
      assertThat(reads.servedByReplica()).containsExactly(0);
      assertThat(s.sweepExpired(10)).isEmpty();
      assertThat(reads.servedByPrimary()).as("the sweep scan tried the replica first").isEqualTo(1);
    }
  }

  @Test
  void aReplicaThatIsAwayAtStartUpDoesNotStopTheStoreAndItsReadsGoToThePrimary() {
    // an H2 database that does not exist and may not be created: every connection is refused
    try (SessionStore s =
        SessionStoreRegistry.create(
            "jdbc",
            h2(
                "replica-urls",
                "jdbc:h2:file:/nonexistent-dir/replica;IFEXISTS=TRUE",
                "replica-user",
                "sa"),
            clock)) {
      SessionRecord r =
          SessionRecord.create(
              "abc", clock.instant(), Duration.ofMinutes(5), Duration.ofHours(1), "u", Map.of());
      assertThat(s.create(r).isSaved()).isTrue();
      assertThat(s.findByPrincipal("u")).containsExactly("abc");
      ReplicaReads reads = ((JdbcSessionStore) CircuitBreakingStore.unwrap(s)).replicaReads();
      assertThat(reads.servedByPrimary()).isEqualTo(1);
      assertThat(reads.servedByReplica()).containsExactly(0);
    }
  }
}
