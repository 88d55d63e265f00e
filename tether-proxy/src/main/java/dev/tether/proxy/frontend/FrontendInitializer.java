package dev.tether.proxy.frontend;

import dev.tether.proxy.ProxySettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import dev.tether.proxy.http.FramingLimits;
import dev.tether.proxy.http.HttpFraming;
import dev.tether.proxy.limit.ClientGuard;

/**
 * Builds a client connection's pipeline: the slow-read check (first, so it sees encoded bytes),
 * the wait timer (so it sees raw bytes), the PROXY protocol decoder when the listener expects one,
 * the strict HTTP/1.1 framing layer ({@link HttpFraming}: raw-byte guard, codec, gate), the limit
 * counter, slow-body check and version-header filter ({@link ClientGuard}), the frontend handler.
 */
public final class FrontendInitializer extends ChannelInitializer<Channel> {

  static final String TIMER = "request-timer";
  static final String FRONTEND = "frontend";

  private final ProxyRuntime runtime;

  public FrontendInitializer(ProxyRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  protected void initChannel(Channel ch) {
    ProxySettings s = runtime.settings;
    ChannelPipeline p = ch.pipeline();
    runtime.guard.installFirst(p);
    p.addLast(TIMER, new RequestTimer(s.timeouts().clientRequest().toNanos()));
    if (s.proxyProtocol()) {
      p.addLast(ProxyProtocolHandler.DECODER, new HAProxyMessageDecoder());
      p.addLast(ProxyProtocolHandler.NAME, new ProxyProtocolHandler());
    }
    HttpFraming.install(p, new FramingLimits(s.limits().maxRequestLine(), s.limits().maxHeaderSize(),
        s.limits().maxHeaders(), s.limits().maxChunk()));
    runtime.guard.installAfterFraming(p);
    p.addLast(FRONTEND, new FrontendHandler(runtime));
  }

  /** Removes the HTTP handlers from a client pipeline that is becoming a tunnel. */
  static void removeHttp(ChannelPipeline p) {
    p.remove(TIMER);
    HttpFraming.uninstall(p);
    ClientGuard.uninstall(p);
  }
}
