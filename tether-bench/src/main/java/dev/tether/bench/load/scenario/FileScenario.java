package dev.tether.bench.load.scenario;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scenario read from a YAML file ({@link ScenarioFileReader}): the steps run in order, then again
 * as a new round with a new {@code ${user}}. A status other than expected is an error, except a 401
 * or 403 after the first step, which means the session was lost; a body that lacks the expected
 * text or JSON value is a lost or stale session (the expectations are about what this user did). A
 * step whose values cannot be extracted ends the round.
 */
public final class FileScenario implements Scenario {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

  private final String name;
  private final List<ScenarioStep> steps;
  private final String runId;

  /** A scenario of {@code steps} (at least one); {@code runId} makes user names unique per run. */
  public FileScenario(String name, List<ScenarioStep> steps, String runId) {
    this.name = requireNonNull(name, "name");
    this.steps = List.copyOf(steps);
    this.runId = requireNonNull(runId, "runId");
    if (this.steps.isEmpty()) {
      throw new IllegalArgumentException("a scenario needs at least one step");
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** The steps, in order. */
  public List<ScenarioStep> steps() {
    return steps;
  }

  @Override
  public UserFlow newUser(int user) {
    return new Flow("b" + runId + "-u" + user);
  }

  /**
   * Replaces each {@code ${name}} in {@code text} by its variable; unknown ones stay as written.
   */
  static String expand(String text, Map<String, String> vars) {
    if (text == null || text.indexOf('$') < 0) {
      return text;
    }
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = vars.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  private final class Flow implements UserFlow {
    private final String prefix;
    private final Map<String, String> vars = new HashMap<>();
    private int round;
    private int index;

    Flow(String prefix) {
      this.prefix = prefix;
      newRound(0);
    }

    private void newRound(int r) {
      round = r;
      index = 0;
      vars.clear();
      vars.put("user", prefix + "." + r);
      vars.put("round", Integer.toString(r));
    }

    @Override
    public HttpCall next() {
      ScenarioStep s = steps.get(index);
      Map<String, String> headers = new LinkedHashMap<>();
      s.headers().forEach((k, v) -> headers.put(k, expand(v, vars)));
      if (s.body() != null
          && headers.keySet().stream().noneMatch("content-type"::equalsIgnoreCase)) {
        headers.put("Content-Type", "application/json");
      }
      return new HttpCall(
          s.name(), s.method(), expand(s.path(), vars), headers, expand(s.body(), vars));
    }

    @Override
    public Verdict check(HttpCall call, HttpReply reply) {
      ScenarioStep s = steps.get(index);
      int status = reply.status();
      boolean statusOk =
          s.status().isEmpty() ? status >= 200 && status <= 299 : s.status().contains(status);
      if (!statusOk) {
        String expected = s.status().isEmpty() ? "2xx" : s.status().toString();
        Verdict v =
            (status == 401 || status == 403) && index > 0
                ? Verdict.lost(
                    expected + " for the live session of " + vars.get("user"),
                    status + " " + ShopScenario.abbreviate(reply.body()))
                : Verdict.error(expected, status + " " + ShopScenario.abbreviate(reply.body()));
        newRound(round + 1);
        return v;
      }
      if (s.contains() != null) {
        String want = expand(s.contains(), vars);
        if (!reply.body().contains(want)) {
          newRound(round + 1);
          return Verdict.lost(
              "body containing '" + want + "'", ShopScenario.abbreviate(reply.body()));
        }
      }
      if (!s.json().isEmpty() || !s.extract().isEmpty()) {
        JsonNode doc;
        try {
          doc = JSON.readTree(reply.body());
        } catch (Exception e) {
          newRound(round + 1);
          return Verdict.error("a JSON body", ShopScenario.abbreviate(reply.body()));
        }
        for (Map.Entry<String, String> e : s.json().entrySet()) {
          String want = expand(e.getValue(), vars);
          JsonNode at = doc == null ? null : doc.at(e.getKey());
          String got =
              at == null || at.isMissingNode()
                  ? null
                  : at.isValueNode() ? at.asText() : at.toString();
          if (!want.equals(got)) {
            newRound(round + 1);
            return Verdict.lost(e.getKey() + " = " + want, e.getKey() + " = " + got);
          }
        }
        for (Map.Entry<String, String> e : s.extract().entrySet()) {
          JsonNode at = doc == null ? null : doc.at(e.getValue());
          if (at == null || at.isMissingNode()) {
            newRound(round + 1);
            return Verdict.error(
                "a value at " + e.getValue() + " to extract as " + e.getKey(),
                ShopScenario.abbreviate(reply.body()));
          }
          vars.put(e.getKey(), at.isValueNode() ? at.asText() : at.toString());
        }
      }
      advance();
      return Verdict.OK;
    }

    @Override
    public void failed(HttpCall call) {
      newRound(round + 1);
    }

    private void advance() {
      if (++index == steps.size()) {
        newRound(round + 1);
      }
    }
  }
}
