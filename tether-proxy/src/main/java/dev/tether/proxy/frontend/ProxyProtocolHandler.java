package dev.tether.proxy.frontend;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the PROXY protocol header (v1 text or v2 binary, decoded by Netty's {@code
 * HAProxyMessageDecoder} just before this handler), gives the original client to the connection's
 * {@link ClientPeer}, then leaves the pipeline. The peer believes the address only when the
 * connection's peer is a trusted proxy. A v2 {@code LOCAL} header (a proxy's own health check)
 * carries no client and changes nothing.
 *
 * <p>The header comes before a TLS handshake or an HTTP/2 preface, so before the handlers of the
 * protocol the connection will speak exist: the peer they are given later already knows the client,
 * and every HTTP/2 stream of the connection shares it.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

  static final String DECODER = "proxy-protocol-decoder";
  static final String NAME = "proxy-protocol";

  /**
   * The client a PROXY header named, as an address literal, with its port, and the address and port
   * it connected to ({@code null} and 0 when the header names none).
   */
  record ProxiedClient(
      InetAddress address, int port, InetAddress destination, int destinationPort) {}

  private final ClientPeer peer;

  ProxyProtocolHandler(ClientPeer peer) {
    this.peer = peer;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HAProxyMessage m)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      ctx.pipeline().remove(this);
      if (m.command() == HAProxyCommand.PROXY && m.sourceAddress() != null) {
        InetAddress a = ClientAddress.literal(m.sourceAddress());
        if (a != null) {
          InetAddress d =
              m.destinationAddress() == null ? null : ClientAddress.literal(m.destinationAddress());
          if (!peer.proxied(new ProxiedClient(a, m.sourcePort(), d, m.destinationPort()))) {
            log.debug("{}: ignored a PROXY protocol header from an untrusted peer", peer.client());
          }
        }
      }
    } finally {
      m.release();
    }
    if (!ctx.channel().config().isAutoRead()) {
      // a proxy may send the header in a segment of its own: what follows it (a ClientHello, a
      // preface, a request) was asked for by no one yet
      ctx.read();
    }
  }
}
