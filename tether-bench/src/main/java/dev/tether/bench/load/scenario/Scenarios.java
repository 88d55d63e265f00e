package dev.tether.bench.load.scenario;

import java.nio.file.Path;

/** Resolves the {@code --scenario} option: {@code shop}, {@code static}, or a YAML file. */
public final class Scenarios {

  private Scenarios() {}

  /**
   * The scenario named {@code spec}.
   *
   * @param items items per shop round
   * @param staticPath the path the static scenario GETs
   * @throws IllegalArgumentException when the file cannot be read or is invalid
   */
  public static Scenario resolve(String spec, int items, String staticPath, String runId) {
    return switch (spec) {
      case "shop" -> new ShopScenario(items, runId);
      case "static" -> new StaticScenario(staticPath);
      default -> {
        if (!(spec.endsWith(".yaml") || spec.endsWith(".yml"))) {
          throw new IllegalArgumentException(
              "--scenario is '" + spec + "'; allowed: shop, static or a FILE.yaml");
        }
        yield ScenarioFileReader.read(Path.of(spec), runId);
      }
    };
  }
}
