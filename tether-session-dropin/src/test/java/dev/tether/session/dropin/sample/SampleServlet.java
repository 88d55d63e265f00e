package dev.tether.session.dropin.sample;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Plain Servlet API use of {@code HttpSession}: {@code /set?name=&value=}, {@code /get?name=},
 * {@code /peek} ({@code getSession(false)}), {@code /rotate} ({@code changeSessionId()}), {@code
 * /invalidate}, {@code /events} (what {@link SampleListener} saw), {@code /async?name=&value=}
 * (sets it on another thread, after {@code startAsync()}), {@code /boom} (throws; the error page is
 * {@code /oops}, which reads the session), {@code /ping}.
 */
public class SampleServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
    res.setContentType("text/plain;charset=UTF-8");
    if (req.getServletPath().equals("/async")) {
      AsyncContext async = req.startAsync();
      async.start(
          () -> {
            try {
              HttpSession s = ((HttpServletRequest) async.getRequest()).getSession();
              s.setAttribute(req.getParameter("name"), req.getParameter("value"));
              async.getResponse().getWriter().print("async " + s.getId());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } finally {
              async.complete();
            }
          });
      return;
    }
    String out;
    switch (req.getServletPath()) {
      case "/set" -> {
        HttpSession s = req.getSession();
        s.setAttribute(req.getParameter("name"), req.getParameter("value"));
        out = "ok " + s.getId();
      }
      case "/get" -> {
        HttpSession s = req.getSession(false);
        out = s == null ? "no session" : String.valueOf(s.getAttribute(req.getParameter("name")));
      }
      case "/peek" -> {
        HttpSession s = req.getSession(false);
        out = s == null ? "no session" : "session " + s.getId();
      }
      case "/rotate" -> {
        String old = req.getSession(false) == null ? "none" : req.getSession(false).getId();
        String fresh = req.changeSessionId();
        out = old + " -> " + fresh;
      }
      case "/invalidate" -> {
        HttpSession s = req.getSession(false);
        if (s != null) {
          s.invalidate();
        }
        out = "invalidated";
      }
      case "/events" -> out = String.join("\n", SampleListener.EVENTS);
      case "/boom" -> throw new IllegalStateException("boom");
      case "/oops" -> {
        HttpSession s = req.getSession(false);
        out = "oops " + (s == null ? "no session" : s.getAttribute("cart"));
      }
      default -> out = "pong";
    }
    res.getWriter().print(out);
  }
}
