package dev.tether.proxy.backend;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.ConnectionsConfig.ProxyProtocolVersion;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header a backend connection starts with ({@code connections.send-proxy}), so
 * that a server or a firewall behind Tether that does not read HTTP sees the real client: its
 * address and port, and the address and port it connected to. The header precedes everything on the
 * connection, TLS included, as HAProxy's {@code send-proxy} does.
 *
 * @param version v1 (text) or v2 (binary)
 * @param source the client end: address and port as the frontend knows them (from a trusted proxy's
 *     PROXY header, else the TCP peer)
 * @param destination the address and port the client connected to
 */
public record ProxyHeader(
    ProxyProtocolVersion version, InetSocketAddress source, InetSocketAddress destination) {

  public ProxyHeader {
    requireNonNull(version, "version");
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
  }

  /** The header as Netty's encoder takes it; both ends in the same address family, else UNKNOWN. */
  HAProxyMessage message() {
    HAProxyProtocolVersion v =
        version == ProxyProtocolVersion.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2;
    boolean v6 = source.getAddress() instanceof Inet6Address;
    if (v6 != destination.getAddress() instanceof Inet6Address) {
      return new HAProxyMessage(
          v, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
    }
    return new HAProxyMessage(
        v,
        HAProxyCommand.PROXY,
        v6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4,
        source.getAddress().getHostAddress(),
        destination.getAddress().getHostAddress(),
        source.getPort(),
        destination.getPort());
  }

  /**
   * The header of a connection that carries no client: a health check's. v1 says {@code UNKNOWN},
   * v2 {@code LOCAL}, which a receiver must accept and take the connection's own addresses for.
   */
  public static byte[] local(ProxyProtocolVersion version) {
    if (version == ProxyProtocolVersion.V1) {
      return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    }
    byte[] b = new byte[16];
    byte[] signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    System.arraycopy(signature, 0, b, 0, 12);
    b[12] = 0x20; // version 2, command LOCAL
    b[13] = 0x00; // UNSPEC
    return b; // length 0
  }

  /**
   * Holds the header in the pipeline, just after Netty's encoder, until the connection is
   * established. The connect promise completes before {@code channelActive} and the request is
   * written from its listener, so the header is sent from the connector's own listener, which runs
   * first ({@link #send}).
   */
  static final class Writer extends ChannelInboundHandlerAdapter {
    static final String NAME = "proxy-header";
    private final ProxyHeader header;

    Writer(ProxyHeader header) {
      this.header = header;
    }

    /** Writes the header on {@code ch} ahead of anything else, then leaves with the encoder. */
    static void send(io.netty.channel.Channel ch) {
      ChannelHandlerContext ctx = ch.pipeline().context(NAME);
      if (ctx == null) {
        return;
      }
      Writer w = (Writer) ctx.handler();
      ctx.writeAndFlush(
          w.header.message()); // towards the socket: the encoder, then the wire (before TLS)
      ch.pipeline().remove(w);
      ch.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
    }
  }
}
