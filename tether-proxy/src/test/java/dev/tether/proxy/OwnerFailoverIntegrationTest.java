package dev.tether.proxy;

import static dev.tether.proxy.AffinityIntegrationTest.NO_WINDOW;
import static dev.tether.proxy.AffinityIntegrationTest.affinity;
import static dev.tether.proxy.AffinityIntegrationTest.cookie;
import static dev.tether.proxy.AffinityIntegrationTest.fixture;
import static dev.tether.proxy.AffinityIntegrationTest.get;
import static dev.tether.proxy.AffinityIntegrationTest.jarClient;
import static dev.tether.proxy.AffinityIntegrationTest.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The owners an app instance names go into the client's token, never to the client; a request whose
 * server is gone goes to the next owner; the binding a request goes under reaches the server and a
 * client cannot forge it.
 */
@ExtendWith(LeakDetection.class)
class OwnerFailoverIntegrationTest {

  @Test
  void aDeadServersClientsGoToTheNextOwnerAndTheBindingReachesTheServer() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW));
        HttpClient c = jarClient()) {
      String bound = server(get(c, f.uri("/")));
      String backup =
          List.of("s1", "s2", "s3").stream()
              .filter(s -> !s.equals(bound))
              .findFirst()
              .orElseThrow();
      HttpResponse<String> owned =
          get(c, f.uri("/set-header?name=Tether-Session-Owners&value=" + bound + ",%20" + backup));
      assertThat(owned.headers().allValues("tether-session-owners"))
          .as("never reaches the client")
          .isEmpty();
      String withOwners = owned.headers().firstValue("set-cookie").orElseThrow();
      assertThat(withOwners).as("the token now carries the owners").startsWith("TETHER=");

      HttpResponse<String> seen = get(c, f.uri("/headers"), "Tether-Binding", "forged; epoch=1");
      assertThat(seen.body())
          .contains("tether-binding: " + bound + "; epoch=")
          .doesNotContain("forged");

      TestBackend dead = f.backend(bound);
      dead.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> dead.openConnections() == 0);
      HttpResponse<String> r = get(c, f.uri("/headers"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(server(r)).isEqualTo(backup);
      assertThat(affinity(r)).isEqualTo("cookie; failover-owner; " + backup);
      assertThat(r.body())
          .as("the binding names the new server")
          .contains("tether-binding: " + backup + "; epoch=");
      assertThat(f.affinity.stats().count(AffinityOutcome.FAILOVER_OWNER)).isEqualTo(1);
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> again = get(c, f.uri("/"));
        assertThat(server(again)).isEqualTo(backup);
        assertThat(affinity(again)).startsWith("cookie; hit;");
      }
    }
  }
}
