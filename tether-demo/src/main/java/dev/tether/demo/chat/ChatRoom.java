package dev.tether.demo.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SequencedSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One instance's side of the chat room: the sockets connected here, fed from this instance's
 * {@link ChatBus}. What a socket receives is
 * {@code {"user": "...", "text": "...", "instance": "<this instance>", "origin": "<sender's
 * instance>", "at": millis}}, plus {@code "history": true} for the backlog sent on connect. Each
 * socket drops repeats by message id, so a bus that delivers twice, or a message that arrives
 * while the backlog is being sent, reaches the user once. Thread-safe.
 */
public final class ChatRoom implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String instance;
  private final ChatBus bus;
  private final Clock clock;
  private final AtomicLong seq = new AtomicLong();
  private final Set<Member> members = ConcurrentHashMap.newKeySet();

  /** The room of instance {@code instance} over {@code bus}; subscribes to it. */
  public ChatRoom(String instance, ChatBus bus, Clock clock) {
    this.instance = requireNonNull(instance, "instance");
    this.bus = requireNonNull(bus, "bus");
    this.clock = requireNonNull(clock, "clock");
    bus.subscribe(this::deliver);
  }

  /** The name of the instance this room serves. */
  public String instance() {
    return instance;
  }

  /**
   * Joins a socket whose frames go to {@code send}: it gets the backlog first, then every new
   * message. Returns the member handle, to {@link Member#say} and {@link Member#leave}.
   */
  public Member join(String user, Consumer<String> send) {
    Member m = new Member(user, send);
    members.add(m);
    for (ChatMessage old : bus.history()) {
      m.deliver(old, true);
    }
    return m;
  }

  /** How many sockets are connected here. */
  public int size() {
    return members.size();
  }

  private void deliver(ChatMessage message) {
    for (Member m : members) {
      m.deliver(message, false);
    }
  }

  private String frame(ChatMessage m, boolean history) {
    ObjectNode n = JSON.createObjectNode();
    n.put("user", m.user());
    n.put("text", m.text());
    n.put("instance", instance);
    n.put("origin", m.origin());
    n.put("at", m.at());
    if (history) {
      n.put("history", true);
    }
    return n.toString();
  }

  /** Disconnects nobody (the server closes the sockets) but stops listening to the bus. */
  @Override
  public void close() {
    members.clear();
    bus.subscribe(m -> {});
  }

  /** One connected socket. */
  public final class Member {
    private static final int REMEMBER = 256;
    private final String user;
    private final Consumer<String> send;
    private final SequencedSet<String> sent = new LinkedHashSet<>();

    private Member(String user, Consumer<String> send) {
      this.user = requireNonNull(user, "user");
      this.send = requireNonNull(send, "send");
    }

    /** Publishes {@code text} from this member's user to every instance. */
    public void say(String text) {
      bus.publish(ChatMessage.create(user, text, instance, seq.incrementAndGet(), clock.millis()));
    }

    /** Stops delivering to this socket. */
    public void leave() {
      members.remove(this);
    }

    private synchronized void deliver(ChatMessage m, boolean history) {
      if (!sent.add(m.id())) {
        return;
      }
      if (sent.size() > REMEMBER) {
        sent.removeFirst();
      }
      send.accept(frame(m, history));
    }
  }
}
