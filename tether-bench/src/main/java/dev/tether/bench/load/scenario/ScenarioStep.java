package dev.tether.bench.load.scenario;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of a {@link FileScenario}. Strings may hold {@code ${user}}, {@code ${round}} and any
 * variable an earlier step extracted.
 *
 * @param name the step's name in reports
 * @param method the HTTP method
 * @param path the request target
 * @param headers request headers
 * @param body the body, or {@code null}
 * @param status the statuses expected (empty: any 2xx)
 * @param contains text the body must contain, or {@code null}
 * @param json JSON pointer to the text the value there must equal
 * @param extract variable name to the JSON pointer whose value it takes
 */
public record ScenarioStep(
    String name,
    String method,
    String path,
    Map<String, String> headers,
    String body,
    List<Integer> status,
    String contains,
    Map<String, String> json,
    Map<String, String> extract) {

  public ScenarioStep {
    requireNonNull(name, "name");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    // in file order, so checks and extractions run (and are reported) as written
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    status = List.copyOf(status);
    json = Collections.unmodifiableMap(new LinkedHashMap<>(json));
    extract = Collections.unmodifiableMap(new LinkedHashMap<>(extract));
  }
}
