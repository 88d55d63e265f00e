package dev.tether.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tether.session.SessionPolicy.Binding;
import dev.tether.session.SessionPolicy.BindingMode;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.metrics.SessionMetrics;
import dev.tether.session.spi.AttributeValue;
import dev.tether.testing.time.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Binding a session to its client's network and User-Agent (OWASP session binding, ASVS V3). */
class SessionBindingTest {

  private static final String FIREFOX =
      "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
  private static final String CURL = "curl/8.5.0";

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final MemorySessionStore store = new MemorySessionStore(clock);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(SessionManager.class);

  {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(logs);
  }

  private SessionManager manager(SessionPolicy policy) {
    return SessionManager.builder(store)
        .clock(clock)
        .policy(policy)
        .listener(
            SessionListener.all(
                List.of(
                    new SessionMetrics(registry),
                    new SessionListener() {
                      @Override
                      public void bindingMismatch(String d, String property, boolean terminated) {
                        events.add(property + (terminated ? " terminated" : " alert"));
                      }

                      @Override
                      public void deleted(String d, long lifetime) {
                        events.add("deleted");
                      }
                    })))
        .build();
  }

  private SessionManager manager(Binding binding) {
    return manager(SessionPolicy.defaults().withBinding(binding));
  }

  private static String stored(SessionManager m, ClientInfo client) {
    ActiveSession s = m.create(client);
    s.setAttribute("cart", "tea");
    m.commit(s);
    return s.id();
  }

  private double mismatches(String property, String action) {
    var c =
        registry
            .find("tether.sessions.binding.mismatches")
            .tag("property", property)
            .tag("action", action)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void offByDefaultRecordsAndComparesNothing() {
    SessionManager m = manager(SessionPolicy.defaults());
    String id = stored(m, new ClientInfo("203.0.113.5", FIREFOX));

    assertThat(m.open(id, new ClientInfo("198.51.100.9", CURL))).isPresent();
    assertThat(store.load(id).orElseThrow().attributes().keySet()).containsExactly("cart");
    assertThat(events).isEmpty();
  }

  @Test
  void alertOnAnotherNetworkKeepsTheSessionAndCounts() {
    SessionManager m = manager(new Binding(BindingMode.ALERT, 24, 64, BindingMode.OFF));
    String id = stored(m, new ClientInfo("203.0.113.5", FIREFOX));

    assertThat(m.open(id, new ClientInfo("203.0.113.200", CURL)))
        .as("same /24, UA not bound")
        .isPresent();
    assertThat(events).isEmpty();

    ActiveSession moved = m.open(id, new ClientInfo("198.51.100.9", FIREFOX)).orElseThrow();

    assertThat(moved.attribute("cart")).isEqualTo("tea");
    assertThat(events).containsExactly("address alert");
    assertThat(mismatches("address", "alert")).isEqualTo(1.0);
    assertThat(m.open(id, new ClientInfo("198.51.100.9", FIREFOX)))
        .as("still alive, alerts again")
        .isPresent();
    assertThat(mismatches("address", "alert")).isEqualTo(2.0);
  }

  @Test
  void terminateOnAnotherUserAgentEndsTheSessionLikeAnUnknownId() {
    SessionManager m = manager(new Binding(BindingMode.OFF, 24, 64, BindingMode.TERMINATE));
    ClientInfo owner = new ClientInfo("203.0.113.5", FIREFOX);
    String id = stored(m, owner);

    assertThat(m.open(id, new ClientInfo("198.51.100.9", FIREFOX)))
        .as("address not bound")
        .isPresent();
    assertThat(m.open(id, new ClientInfo("203.0.113.5", CURL))).isEmpty();

    assertThat(events).containsExactly("user-agent terminated", "deleted");
    assertThat(mismatches("user-agent", "terminate")).isEqualTo(1.0);
    assertThat(store.load(id)).isEmpty();
    assertThat(m.open(id, owner)).as("the owner too has lost it").isEmpty();
    assertThat(m.unknownIdCount("203.0.113.5"))
        .as("only the owner's later try is an unknown id")
        .isEqualTo(1);
  }

  @Test
  void aMissingUserAgentIsADifferentOneButAnUnknownOneIsNotCompared() {
    SessionManager m = manager(new Binding(BindingMode.OFF, 24, 64, BindingMode.ALERT));
    String id = stored(m, new ClientInfo("203.0.113.5", FIREFOX));

    m.open(id, "203.0.113.5");
    assertThat(events).as("caller does not know the UA").isEmpty();
    m.open(id, new ClientInfo("203.0.113.5", ""));
    assertThat(events).containsExactly("user-agent alert");
  }

  @Test
  void prefixesAreConfigurableAndIpv6UsesSlash64() {
    SessionManager exact = manager(new Binding(BindingMode.ALERT, 32, 128, BindingMode.OFF));
    String v4 = stored(exact, new ClientInfo("203.0.113.5", FIREFOX));
    exact.open(v4, new ClientInfo("203.0.113.6", FIREFOX));
    assertThat(events).containsExactly("address alert");

    events.clear();
    SessionManager wide = manager(Binding.of(BindingMode.ALERT));
    String v6 = stored(wide, new ClientInfo("2001:db8:1:2::1", FIREFOX));
    assertThat(wide.open(v6, new ClientInfo("2001:db8:1:2:ffff:eeee:dddd:9", FIREFOX))).isPresent();
    assertThat(wide.open(v6, new ClientInfo("[2001:0db8:0001:0002::77%eth0]", FIREFOX)))
        .isPresent();
    assertThat(events).isEmpty();
    wide.open(v6, new ClientInfo("2001:db8:1:3::1", FIREFOX));
    assertThat(events).containsExactly("address alert");
  }

  @Test
  void networksAreComputedWithoutNameLookups() {
    assertThat(SessionBinding.network("203.0.113.77", 24, 64)).isEqualTo("203.0.113.0/24");
    assertThat(SessionBinding.network("203.0.113.77", 20, 64)).isEqualTo("203.0.112.0/20");
    assertThat(SessionBinding.network("::ffff:203.0.113.77", 24, 64))
        .as("IPv4-mapped")
        .isEqualTo("203.0.113.0/24");
    assertThat(SessionBinding.network("2001:db8:aa:bb:cc::1", 24, 64))
        .isEqualTo("2001:db8:aa:bb:0:0:0:0/64");
    assertThat(SessionBinding.network("2001:db8:aa:bb:cc::1", 24, 0))
        .isEqualTo("0:0:0:0:0:0:0:0/0");
    assertThat(SessionBinding.network("localhost", 24, 64))
        .as("a name is compared whole")
        .isEqualTo("localhost");
    assertThat(SessionBinding.network("1.2.3.456", 24, 64)).isEqualTo("1.2.3.456");
    assertThat(SessionBinding.network("unix:/run/app.sock", 24, 64))
        .isEqualTo("unix:/run/app.sock");
    assertThat(SessionBinding.network("fe:zz::1", 24, 64)).isEqualTo("fe:zz::1");
  }

  @Test
  void bindingIsHiddenHashedAndNeverLogged() {
    SessionManager m = manager(Binding.of(BindingMode.ALERT));
    ActiveSession s = m.create(new ClientInfo("203.0.113.5", FIREFOX));
    s.setAttribute("cart", "tea");
    m.commit(s);

    assertThat(s.attributeNames()).containsExactly("cart");
    ActiveSession other = m.open(s.id(), new ClientInfo("198.51.100.9", CURL)).orElseThrow();
    assertThat(other.attributeNames()).containsExactly("cart");
    assertThat(events).containsExactlyInAnyOrder("address alert", "user-agent alert");
    for (AttributeValue v : store.load(s.id()).orElseThrow().attributes().values()) {
      String text = new String(v.bytes(), StandardCharsets.ISO_8859_1);
      assertThat(text).doesNotContain("Firefox", "203.0.113", "curl");
    }
    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines)
        .anyMatch(l -> l.contains("bound to"))
        .noneMatch(l -> l.contains(s.id()) || l.contains("curl") || l.contains("Firefox"));
  }

  @Test
  void rotationAndRenewalKeepTheBinding() {
    SessionManager m =
        manager(
            SessionPolicy.defaults()
                .withRenewal(Duration.ofMinutes(10), Duration.ZERO)
                .withBinding(new Binding(BindingMode.TERMINATE, 24, 64, BindingMode.TERMINATE)));
    ClientInfo owner = new ClientInfo("203.0.113.5", FIREFOX);
    ActiveSession s = m.open(stored(m, owner), owner).orElseThrow();
    String loggedIn = m.authentication().login(s, "ada");
    m.commit(s);

    clock.advance(Duration.ofMinutes(11));
    ActiveSession renewed = m.open(loggedIn, owner).orElseThrow();
    assertThat(renewed.id()).as("renewed").isNotEqualTo(loggedIn);
    m.commit(renewed);

    assertThat(m.open(renewed.id(), new ClientInfo("198.51.100.9", FIREFOX))).isEmpty();
    assertThat(events).containsExactly("address terminated", "deleted");
  }

  @Test
  void aSessionFromBeforeBindingIsBoundOnItsNextRequest() {
    SessionManager before = manager(SessionPolicy.defaults());
    ActiveSession s = before.create();
    before.commit(s);
    SessionManager after = manager(Binding.of(BindingMode.ALERT));
    ClientInfo owner = new ClientInfo("203.0.113.5", FIREFOX);

    after.commit(after.open(s.id(), owner).orElseThrow());
    after.open(s.id(), owner);
    assertThat(events).isEmpty();
    after.open(s.id(), new ClientInfo("203.0.113.5", CURL));
    assertThat(events).containsExactly("user-agent alert");
  }

  @Test
  void badSettingsSayWhatIsAllowed() {
    assertThat(BindingMode.of(" Terminate ")).isEqualTo(BindingMode.TERMINATE);
    assertThatThrownBy(() -> BindingMode.of("block"))
        .hasMessage("binding mode 'block' is unknown; allowed: off, alert, terminate");
    assertThatThrownBy(() -> new Binding(BindingMode.ALERT, 33, 64, BindingMode.OFF))
        .hasMessage("IPv4 binding prefix /33 is out of range; allowed: 0 to 32");
    assertThatThrownBy(() -> new Binding(BindingMode.ALERT, 24, 129, BindingMode.OFF))
        .hasMessage("IPv6 binding prefix /129 is out of range; allowed: 0 to 128");
  }
}
