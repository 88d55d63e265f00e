package dev.tether.session.dropin.sample;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * The application's own filter, declared in {@code web.xml} on {@code /*}: it reports the session
 * it sees in {@code X-Filter-Session}, so a test can tell that the Tether filter runs before it.
 */
public class SampleFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpSession s = req.getSession(false);
    res.setHeader("X-Filter-Session", s == null ? "none" : s.getId());
    chain.doFilter(req, res);
  }
}
