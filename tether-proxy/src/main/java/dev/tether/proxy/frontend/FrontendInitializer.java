package dev.tether.proxy.frontend;

import dev.tether.proxy.ProxySettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;

/** Builds a client connection's pipeline: wait timer, HTTP/1.1 codec, frontend handler. */
public final class FrontendInitializer extends ChannelInitializer<Channel> {

  static final String TIMER = "request-timer";
  static final String CODEC = "http-server";
  static final String FRONTEND = "frontend";

  private final ProxyRuntime runtime;

  public FrontendInitializer(ProxyRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  protected void initChannel(Channel ch) {
    ProxySettings s = runtime.settings;
    ChannelPipeline p = ch.pipeline();
    p.addLast(TIMER, new RequestTimer(s.timeouts().clientRequest().toNanos()));
    p.addLast(CODEC, new HttpServerCodec(s.limits().maxRequestLine(), s.limits().maxHeaderSize(), s.limits().maxChunk()));
    p.addLast(FRONTEND, new FrontendHandler(runtime));
  }

  /** Removes the HTTP handlers from a client pipeline that is becoming a tunnel. */
  static void removeHttp(ChannelPipeline p) {
    p.remove(TIMER);
    p.remove(CODEC);
  }
}
