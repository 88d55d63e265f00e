package dev.tether.bench.load.scenario;

import static java.util.Objects.requireNonNull;

/** Every user GETs one path again and again and expects a 2xx: raw request throughput. */
public final class StaticScenario implements Scenario {

  private final HttpCall call;

  /** GETs {@code path}, e.g. {@code /}. */
  public StaticScenario(String path) {
    requireNonNull(path, "path");
    this.call = HttpCall.get("static", path.isEmpty() ? "/" : path);
  }

  @Override
  public String name() {
    return "static";
  }

  @Override
  public UserFlow newUser(int user) {
    return new UserFlow() {
      @Override
      public HttpCall next() {
        return call;
      }

      @Override
      public Verdict check(HttpCall c, HttpReply reply) {
        return reply.status() >= 200 && reply.status() <= 299
            ? Verdict.OK
            : Verdict.error("2xx", reply.status() + " " + ShopScenario.abbreviate(reply.body()));
      }

      @Override
      public void failed(HttpCall c) {}
    };
  }
}
