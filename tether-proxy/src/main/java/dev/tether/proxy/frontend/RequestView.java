package dev.tether.proxy.frontend;

import dev.tether.balance.PickRequest;
import dev.tether.proxy.http.CookieHeader;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The request as pickers see it; the {@code Cookie} header is looked up on first use only, and a
 * cookie is found in it without decoding the others ({@link CookieHeader}).
 */
final class RequestView implements PickRequest {

  private final HttpRequest request;
  private final String client;
  private final String path;
  private final String query;
  private String cookies; // the Cookie header, "" when absent; null until first asked

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
      cookies = header == null ? "" : header;
    }
    return CookieHeader.value(cookies, name);
  }
}
