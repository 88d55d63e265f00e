package dev.tether.proxy.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.ConnectionsConfig.ProxyProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ProxyHeaderTest {

  /** What a receiver (Netty's decoder, as nginx or HAProxy would) reads from {@code bytes}. */
  private static HAProxyMessage decode(ByteBuf bytes) {
    EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
    ch.writeInbound(bytes);
    HAProxyMessage m = ch.readInbound();
    ch.finishAndReleaseAll();
    return m;
  }

  private static ByteBuf encode(HAProxyMessage m) {
    EmbeddedChannel ch = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    ch.writeOutbound(m);
    ByteBuf out = ch.readOutbound();
    ch.finishAndReleaseAll();
    return out;
  }

  @Test
  void v1AndV2NameBothEndsOfAnIpv4OrIpv6Client() {
    for (ProxyProtocolVersion v : ProxyProtocolVersion.values()) {
      HAProxyMessage m =
          decode(
              encode(
                  new ProxyHeader(
                          v,
                          new InetSocketAddress("203.0.113.7", 4444),
                          new InetSocketAddress("198.51.100.9", 443))
                      .message()));
      try {
        assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
        assertThat(m.sourceAddress() + ":" + m.sourcePort()).isEqualTo("203.0.113.7:4444");
        assertThat(m.destinationAddress() + ":" + m.destinationPort())
            .isEqualTo("198.51.100.9:443");
      } finally {
        m.release();
      }
      HAProxyMessage six =
          decode(
              encode(
                  new ProxyHeader(
                          v,
                          new InetSocketAddress("2001:db8::7", 5555),
                          new InetSocketAddress("2001:db8::1", 8443))
                      .message()));
      try {
        assertThat(six.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
        assertThat(six.sourcePort()).isEqualTo(5555);
      } finally {
        six.release();
      }
    }
  }

  @Test
  void endsOfDifferentFamiliesAreSentAsUnknown() {
    HAProxyMessage m =
        decode(
            encode(
                new ProxyHeader(
                        ProxyProtocolVersion.V2,
                        new InetSocketAddress("203.0.113.7", 1),
                        new InetSocketAddress("2001:db8::1", 2))
                    .message()));
    try {
      assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
    } finally {
      m.release();
    }
  }

  @Test
  void aHealthChecksHeaderNamesNoClient() {
    HAProxyMessage v1 = decode(Unpooled.wrappedBuffer(ProxyHeader.local(ProxyProtocolVersion.V1)));
    HAProxyMessage v2 = decode(Unpooled.wrappedBuffer(ProxyHeader.local(ProxyProtocolVersion.V2)));
    try {
      assertThat(v1.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
      assertThat(v2.command()).isEqualTo(HAProxyCommand.LOCAL);
    } finally {
      v1.release();
      v2.release();
    }
  }
}
