package dev.tether.demo.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Puts {@code X-Tether-Instance: <name>} on every response, errors included. */
final class InstanceHeaderFilter implements Filter {

  private final String instance;

  InstanceHeaderFilter(String instance) {
    this.instance = instance;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (res instanceof HttpServletResponse http) {
      http.setHeader(InstanceContext.INSTANCE_HEADER, instance);
    }
    chain.doFilter(req, res);
  }
}
