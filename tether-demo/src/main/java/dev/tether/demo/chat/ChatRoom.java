package dev.tether.demo.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.SequencedSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One instance's side of the chat room: the sockets connected here, fed from this instance's {@link
 * ChatBus}. What a socket receives is {@code {"id": "...", "user": "...", "text": "...",
 * "instance": "<this instance>", "origin": "<sender's instance>", "at": millis}}, plus {@code
 * "history": true} for the backlog sent on connect, or {@code "missed": true} for a message a
 * resumed connection had not received. Each socket drops repeats by message id, so a bus that
 * delivers twice, or a message that arrives while the backlog is being sent, reaches the user once.
 * Thread-safe.
 *
 * <p>Resuming: a socket that came through a managed WebSocket of the balancer has a connection id;
 * every frame it is sent is first recorded in the room's store under that id ({@link SentLog},
 * "record, then send", so a crash between the two errs towards sending again). When the balancer
 * continues the connection on another instance, it says how many frames the client really got
 * ({@link Resume#sent()}); the log cut there is what the client has, and every message of the
 * room's history not in it is sent now, in order, before the live ones.
 */
public final class ChatRoom implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChatRoom.class);

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
    return join(user, send, null, null);
  }

  /**
   * Joins a socket of a managed WebSocket {@code connection} ({@code null}: none, as {@link
   * #join(String, Consumer)}). With {@code resume} for this connection and a log of this user's in
   * the store, the socket is sent the messages the client missed (flagged {@code "missed"});
   * otherwise the backlog, as a new socket.
   */
  public Member join(String user, Consumer<String> send, String connection, Resume resume) {
    Member m = new Member(user, send, connection);
    Kind kind = Kind.HISTORY;
    if (connection != null) {
      SentLog log = null;
      if (resume != null && resume.id().equals(connection)) {
        String stored = bus.sent(connection);
        SentLog before = stored == null ? null : SentLog.decode(stored);
        if (before != null && before.user().equals(user)) {
          log = before.upTo(resume.sent());
          m.sent.addAll(log.messageIds());
          kind = Kind.MISSED;
        }
      }
      m.log = log != null ? log : SentLog.empty(user);
      bus.putSent(connection, m.log.encode());
    }
    members.add(m);
    for (ChatMessage old : bus.history()) {
      m.deliver(old, kind);
    }
    return m;
  }

  /** Forgets what {@code connection} was sent: its conversation ended, it will not resume. */
  public void ended(String connection) {
    if (connection != null) {
      bus.forgetSent(connection);
    }
  }

  /** How many sockets are connected here. */
  public int size() {
    return members.size();
  }

  private void deliver(ChatMessage message) {
    for (Member m : members) {
      m.deliver(message, Kind.LIVE);
    }
  }

  /** How a message reaches a socket. */
  private enum Kind {
    LIVE,
    HISTORY,
    MISSED
  }

  private String frame(ChatMessage m, Kind kind) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", m.id());
    n.put("user", m.user());
    n.put("text", m.text());
    n.put("instance", instance);
    n.put("origin", m.origin());
    n.put("at", m.at());
    if (kind == Kind.HISTORY) {
      n.put("history", true);
    } else if (kind == Kind.MISSED) {
      n.put("missed", true);
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
    private final String connection;
    private final SequencedSet<String> sent = new LinkedHashSet<>();

    /** What the connection was sent, as stored; {@code null} without a connection id. */
    private SentLog log;

    private Member(String user, Consumer<String> send, String connection) {
      this.user = requireNonNull(user, "user");
      this.send = requireNonNull(send, "send");
      this.connection = connection;
    }

    /** Publishes {@code text} from this member's user to every instance. */
    public void say(String text) {
      bus.publish(ChatMessage.create(user, text, instance, seq.incrementAndGet(), clock.millis()));
    }

    /** Sends this socket a frame that is no room message (an error answer), recorded as such. */
    public synchronized void sendOther(String frame) {
      record("");
      send.accept(frame);
    }

    /** Stops delivering to this socket. */
    public void leave() {
      members.remove(this);
    }

    private synchronized void deliver(ChatMessage m, Kind kind) {
      if (!sent.add(m.id())) {
        return;
      }
      if (sent.size() > REMEMBER) {
        sent.removeFirst();
      }
      record(m.id());
      send.accept(frame(m, kind));
    }

    private void record(String entry) {
      if (log == null) {
        return;
      }
      log = log.append(entry);
      try {
        bus.putSent(connection, log.encode());
      } catch (RuntimeException e) {
        // The frame still goes out; should the connection resume, it may be sent again.
        LOG.warn("chat: cannot record what connection {} was sent: {}", connection, e.toString());
      }
    }
  }
}
