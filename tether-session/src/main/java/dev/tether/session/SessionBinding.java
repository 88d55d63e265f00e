package dev.tether.session;

import dev.tether.session.SessionPolicy.Binding;
import dev.tether.session.SessionPolicy.BindingMode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records and compares the client properties a session is bound to ({@link Binding}).
 *
 * <p>Design: each bound property is kept as a reserved attribute holding a hash, never the raw
 * value, so neither the store nor a log shows the client's address or {@code User-Agent}. The hash
 * is unsalted SHA-256 because every app instance must compute the same value for the same client;
 * it hides nothing that matters (a hashed IPv4 /24 can be found by enumeration), it only keeps raw
 * values out of store dumps. The address is cut to its network prefix first; an address that is not
 * an IP literal (a Unix socket path, a name a proxy put there) is compared whole. IP literals are
 * parsed without any name lookup: only text that can only be a literal reaches {@link
 * InetAddress#getByName}. Attributes travel with the session through id rotation, so a rotated id
 * stays bound to the client that created the session.
 */
final class SessionBinding {

  // the manager decides and reports; its log category is where operators look for session events
  private static final Logger log = LoggerFactory.getLogger(SessionManager.class);

  static final String ADDRESS = ActiveSession.RESERVED_PREFIX + "bind.address";
  static final String USER_AGENT = ActiveSession.RESERVED_PREFIX + "bind.userAgent";

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6ISH = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /** A property of the request's client that differs from the bound one. */
  record Mismatch(String property, BindingMode mode) {}

  private final Binding binding;

  SessionBinding(Binding binding) {
    this.binding = binding;
  }

  boolean enabled() {
    return binding.enabled();
  }

  /** Records the bound properties of a new session. */
  void bind(ActiveSession s, ClientInfo client) {
    for (Property p : properties(client)) {
      s.setInternal(p.key(), p.hash());
    }
  }

  /**
   * Compares {@code client} with the one {@code s} is bound to, reporting each differing property
   * to {@code listener} and the log; returns whether one of them asks for termination.
   */
  boolean mustTerminate(
      ActiveSession s, ClientInfo client, SessionListener listener, SessionIdDigest digest) {
    boolean terminate = false;
    for (Mismatch m : mismatches(s, client)) {
      boolean t = m.mode() == BindingMode.TERMINATE;
      terminate |= t;
      String d = digest.of(s.id());
      listener.bindingMismatch(d, m.property(), t);
      log.warn(
          "session {} used from another client {} than it is bound to; {}",
          d,
          m.property(),
          t ? "invalidated" : "kept (alert only)");
    }
    return terminate;
  }

  /**
   * The bound properties in which {@code client} differs from the one {@code s} is bound to. A
   * property the session is not yet bound to (binding turned on later) is bound now.
   */
  List<Mismatch> mismatches(ActiveSession s, ClientInfo client) {
    List<Mismatch> out = new ArrayList<>(2);
    for (Property p : properties(client)) {
      Object recorded = s.attribute(p.key());
      if (recorded == null) {
        s.setInternal(p.key(), p.hash());
      } else if (!p.hash().equals(recorded)) {
        out.add(new Mismatch(p.name(), p.mode()));
      }
    }
    return out;
  }

  private record Property(String name, String key, BindingMode mode, String hash) {}

  private List<Property> properties(ClientInfo client) {
    List<Property> out = new ArrayList<>(2);
    if (binding.address() != BindingMode.OFF) {
      String network = network(client.address(), binding.ipv4Prefix(), binding.ipv6Prefix());
      out.add(new Property(Binding.ADDRESS, ADDRESS, binding.address(), hash(network)));
    }
    if (binding.userAgent() != BindingMode.OFF && client.userAgent() != null) {
      out.add(
          new Property(
              Binding.USER_AGENT, USER_AGENT, binding.userAgent(), hash(client.userAgent())));
    }
    return out;
  }

  /**
   * {@code address} cut to its network, e.g. {@code 203.0.113.0/24} or {@code
   * 2001:db8:0:0:0:0:0:0/64}; an IPv4-mapped IPv6 address counts as IPv4; anything that is not an
   * IP literal is returned unchanged.
   */
  static String network(String address, int ipv4Prefix, int ipv6Prefix) {
    byte[] bytes = literal(address.trim());
    if (bytes == null) {
      return address;
    }
    int prefix = bytes.length == 4 ? ipv4Prefix : ipv6Prefix;
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.clamp(prefix - i * 8L, 0, 8);
      bytes[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
    }
  }

  /** The bytes of an IP literal (4 or 16), or {@code null} when {@code a} is none. */
  private static byte[] literal(String a) {
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    int zone = a.indexOf('%');
    if (zone >= 0) {
      a = a.substring(0, zone);
    }
    if (IPV4.matcher(a).matches()) {
      String[] parts = a.split("\\.");
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(parts[i]);
        if (v > 255) {
          return null;
        }
        out[i] = (byte) v;
      }
      return out;
    }
    if (IPV6ISH.matcher(a).matches()) {
      try {
        // text with a colon and only hex digits, colons and dots is parsed as a literal or
        // refused; it never leads to a name lookup
        return InetAddress.getByName(a).getAddress();
      } catch (UnknownHostException e) {
        return null; // not a valid literal: compared whole, as documented
      }
    }
    return null;
  }

  private static String hash(String value) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("tether-binding:".getBytes(StandardCharsets.UTF_8));
      byte[] d = sha.digest(value.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
