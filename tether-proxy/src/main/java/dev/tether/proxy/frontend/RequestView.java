package dev.tether.proxy.frontend;

import dev.tether.balance.PickRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.Set;

/** The request as pickers see it; cookies are parsed on first use only. */
final class RequestView implements PickRequest {

  private final HttpRequest request;
  private final String client;
  private final String path;
  private final String query;
  private Set<Cookie> cookies;

  RequestView(HttpRequest request, String client, String target) {
    this.request = request;
    this.client = client;
    int q = target.indexOf('?');
    this.path = q < 0 ? target : target.substring(0, q);
    this.query = q < 0 ? null : target.substring(q + 1);
  }

  @Override
  public String clientAddress() {
    return client;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return query;
  }

  @Override
  public String header(String name) {
    return request.headers().get(name);
  }

  @Override
  public String cookie(String name) {
    if (cookies == null) {
      String header = request.headers().get(HttpHeaderNames.COOKIE);
      cookies = header == null ? Set.of() : ServerCookieDecoder.LAX.decode(header);
    }
    for (Cookie c : cookies) {
      if (c.name().equals(name)) {
        return c.value();
      }
    }
    return null;
  }
}
