package dev.tether.session.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Runs a hook once, before anything can commit the response: the first body write or flush, {@code
 * flushBuffer}, {@code sendError} or {@code sendRedirect}. The session filter uses it to write the
 * session while headers can still change and before the client can send its next request (Jetty's
 * {@code flushOnResponseCommit}, Spring Session's {@code OnCommittedResponseWrapper}).
 */
final class CommitGuardResponse extends HttpServletResponseWrapper {

  private final Runnable beforeCommit;
  private boolean fired;
  private ServletOutputStream stream;
  private PrintWriter writer;

  CommitGuardResponse(HttpServletResponse response, Runnable beforeCommit) {
    super(response);
    this.beforeCommit = beforeCommit;
  }

  synchronized void fire() {
    if (!fired) {
      fired = true;
      beforeCommit.run();
    }
  }

  @Override
  public void flushBuffer() throws IOException {
    fire();
    super.flushBuffer();
  }

  @Override
  public void sendError(int sc) throws IOException {
    fire();
    super.sendError(sc);
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    fire();
    super.sendError(sc, msg);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    fire();
    super.sendRedirect(location);
  }

  @Override
  public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
    fire();
    super.sendRedirect(location, sc, clearBuffer);
  }

  @Override
  public synchronized ServletOutputStream getOutputStream() throws IOException {
    if (stream == null) {
      ServletOutputStream out = super.getOutputStream();
      stream =
          new ServletOutputStream() {
            @Override
            public boolean isReady() {
              return out.isReady();
            }

            @Override
            public void setWriteListener(WriteListener listener) {
              out.setWriteListener(listener);
            }

            @Override
            public void write(int b) throws IOException {
              fire();
              out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              fire();
              out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
              fire();
              out.flush();
            }

            @Override
            public void close() throws IOException {
              fire();
              out.close();
            }
          };
    }
    return stream;
  }

  @Override
  public synchronized PrintWriter getWriter() throws IOException {
    if (writer == null) {
      PrintWriter out = super.getWriter();
      writer =
          new PrintWriter(
              new Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) {
                  fire();
                  out.write(cbuf, off, len);
                }

                @Override
                public void flush() {
                  fire();
                  out.flush();
                }

                @Override
                public void close() {
                  fire();
                  out.close();
                }
              });
    }
    return writer;
  }
}
