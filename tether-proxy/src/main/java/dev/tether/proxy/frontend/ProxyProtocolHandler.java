package dev.tether.proxy.frontend;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import java.net.InetAddress;

/**
 * Consumes the PROXY protocol header (v1 text or v2 binary, decoded by Netty's {@code
 * HAProxyMessageDecoder} just before this handler) and tells the frontend handler the original
 * client address with a {@link ProxiedClient} event, then leaves the pipeline. The frontend
 * believes the address only when the connection's peer is a trusted proxy. A v2 {@code LOCAL}
 * header (a proxy's own health check) carries no client and changes nothing.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

  static final String DECODER = "proxy-protocol-decoder";
  static final String NAME = "proxy-protocol";

  /**
   * The client a PROXY header named, as an address literal, with its port, and the address and port
   * it connected to ({@code null} and 0 when the header names none).
   */
  record ProxiedClient(
      InetAddress address, int port, InetAddress destination, int destinationPort) {}

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
          ctx.fireUserEventTriggered(new ProxiedClient(a, m.sourcePort(), d, m.destinationPort()));
        }
      }
    } finally {
      m.release();
    }
  }
}
