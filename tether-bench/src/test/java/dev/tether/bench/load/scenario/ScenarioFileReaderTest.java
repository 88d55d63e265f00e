package dev.tether.bench.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioFileReaderTest {

  private static final String APP =
      """
      name: my-app
      steps:
        - name: login
          method: POST
          path: /login
          body: '{"user": "${user}"}'
          expect: { status: [200, 201], json: { /user: "${user}" } }
          extract: { token: /token }
        - name: profile
          path: /me?t=${token}
          expect: { contains: "${user}" }
      """;

  @Test
  void aFileScenarioRunsItsStepsWithVariablesAndChecksThem() {
    FileScenario s = ScenarioFileReader.parse(APP, "app.yaml", "r1");
    assertThat(s.name()).isEqualTo("my-app");
    assertThat(s.steps()).hasSize(2);
    UserFlow flow = s.newUser(7);
    HttpCall login = flow.next();
    assertThat(login.body()).isEqualTo("{\"user\": \"br1-u7.0\"}");
    assertThat(login.headers()).containsEntry("Content-Type", "application/json");
    assertThat(
            flow.check(
                login, new HttpReply(201, "{\"user\":\"br1-u7.0\",\"token\":\"abc\"}", "s1")))
        .isEqualTo(Verdict.OK);
    HttpCall profile = flow.next();
    assertThat(profile.path()).isEqualTo("/me?t=abc");
    Verdict v = flow.check(profile, new HttpReply(200, "hello br1-u3.0", "s2"));
    assertThat(v.kind()).isEqualTo(Verdict.Kind.LOST_SESSION);
    assertThat(v.expected()).isEqualTo("body containing 'br1-u7.0'");
    assertThat(flow.next().body()).as("a new round, a new user").contains("br1-u7.1");
  }

  @Test
  void aWrongJsonValueIsAStaleSessionAndAWrongStatusAnError() {
    UserFlow flow = ScenarioFileReader.parse(APP, "app.yaml", "r1").newUser(0);
    HttpCall login = flow.next();
    assertThat(
            flow.check(login, new HttpReply(200, "{\"user\":\"someone\",\"token\":\"t\"}", null))
                .kind())
        .isEqualTo(Verdict.Kind.LOST_SESSION);
    assertThat(flow.check(flow.next(), new HttpReply(500, "", null)).kind())
        .isEqualTo(Verdict.Kind.ERROR);
  }

  @Test
  void anUnknownKeyIsNamedWithItsLine() {
    String yaml =
        """
        steps:
          - path: /
            expct: { status: 200 }
        """;
    assertThatThrownBy(() -> ScenarioFileReader.parse(yaml, "app.yaml", "r"))
        .hasMessage(
            "app.yaml:3: steps[0].expct: unknown key; allowed here: body, expect, extract, headers, method, name, path");
  }

  @Test
  void badValuesAreNamedWithTheirLine() {
    for (Map.Entry<String, String> c :
        Map.of(
                "steps: []\n", "app.yaml:1: steps: must be a non-empty list of steps",
                "steps:\n  - { path: x }\n", "app.yaml:2: steps[0].path: 'x' must start with /",
                "steps:\n  - { path: /, method: FETCH }\n",
                    "app.yaml:2: steps[0].method: 'FETCH' is not a method; allowed: ",
                "steps:\n  - path: /\n    expect: { status: 999 }\n",
                    "app.yaml:3: steps[0].expect.status: '999' is not a status",
                "steps:\n  - path: /\n    extract: { id: token }\n",
                    "app.yaml:3: steps[0].extract.id: 'token' is not a JSON pointer",
                "name: x\n", "app.yaml:1: steps: missing",
                "steps: [ { path: / \n", "app.yaml:2: YAML syntax error")
            .entrySet()) {
      assertThatThrownBy(() -> ScenarioFileReader.parse(c.getKey(), "app.yaml", "r"))
          .as(c.getKey())
          .hasMessageStartingWith(c.getValue());
    }
  }
}
