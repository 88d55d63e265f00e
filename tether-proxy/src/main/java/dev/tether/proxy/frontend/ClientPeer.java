package dev.tether.proxy.frontend;

import dev.tether.proxy.TrustedProxies;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who is at the other end of one client connection: the peer's address (replaced by the one a
 * trusted proxy's PROXY protocol header names), whether it is a trusted proxy, the scheme it spoke
 * to the listener ({@code https} on a TLS listener), and both ends as a PROXY header towards a
 * backend names them. What the forwarding headers of its requests share is made once per
 * connection. Confined to the connection's event loop.
 */
final class ClientPeer {

  private final TrustedProxies trusted;
  private final AsciiString scheme;
  private InetAddress peer;
  private String client;
  private String forwardedFor;
  private InetSocketAddress clientEnd;
  private InetSocketAddress localEnd;
  private boolean peerTrusted;
  private boolean known;

  /**
   * @param secure whether the connection came to a TLS listener (so its requests are forwarded as
   *     {@code https})
   */
  ClientPeer(TrustedProxies trusted, boolean secure) {
    this.trusted = trusted;
    this.scheme = secure ? ForwardingHeaders.HTTPS : ForwardingHeaders.HTTP;
  }

  /**
   * Reads the ends of {@code ch}, which just became active; later calls (the frontend handler of
   * each HTTP/2 stream, or of a connection whose protocol was chosen after its PROXY header) change
   * nothing.
   */
  void connected(Channel ch) {
    if (known) {
      return;
    }
    known = true;
    SocketAddress remote = ch.remoteAddress();
    if (ch.localAddress() instanceof InetSocketAddress local) {
      localEnd = local;
    }
    if (remote instanceof InetSocketAddress isa) {
      clientEnd = isa;
      peer = isa.getAddress();
      client = peer == null ? isa.getHostString() : peer.getHostAddress();
    } else {
      client = String.valueOf(remote);
    }
    peerTrusted = trusted.isTrusted(peer);
    forwardedFor = ForwardingHeaders.forwardedFor(peer, scheme);
  }

  /**
   * A PROXY protocol header arrived: from a trusted proxy it names the real client, from anyone
   * else it is ignored. {@code false}: ignored.
   */
  boolean proxied(ProxyProtocolHandler.ProxiedClient pc) {
    if (!peerTrusted) {
      return false;
    }
    peer = pc.address();
    client = peer.getHostAddress();
    clientEnd = new InetSocketAddress(peer, pc.port());
    if (pc.destination() != null) {
      localEnd = new InetSocketAddress(pc.destination(), pc.destinationPort());
    }
    peerTrusted = trusted.isTrusted(peer);
    forwardedFor = ForwardingHeaders.forwardedFor(peer, scheme);
    return true;
  }

  /** The client's address as logged: the peer's (or the PROXY header's). */
  String client() {
    return client;
  }

  /** The client address of a request, by the trusted-proxy rules (see {@link ClientAddress}). */
  String resolve(HttpHeaders request) {
    return ClientAddress.resolve(request, client, peerTrusted, trusted);
  }

  /** Adds {@code X-Forwarded-*}/{@code Forwarded} for this client to a request going upstream. */
  void addForwarding(HttpHeaders request, String host) {
    ForwardingHeaders.addForwarding(request, forwardedFor, client, scheme, peerTrusted, host);
  }

  InetSocketAddress clientEnd() {
    return clientEnd;
  }

  InetSocketAddress localEnd() {
    return localEnd;
  }
}
