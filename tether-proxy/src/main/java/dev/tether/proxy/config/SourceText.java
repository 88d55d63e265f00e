package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * The YAML text a configuration was read from, kept so that {@code GET /api/config} can show the
 * effective configuration in the operator's own layout. Its {@link #toString()} never prints the
 * text, which may hold inline secrets.
 *
 * @param yaml the whole document as read
 */
public record SourceText(String yaml) {

  public SourceText {
    requireNonNull(yaml, "yaml");
  }

  /** The length only: the text may contain secrets. */
  @Override
  public String toString() {
    return "SourceText[" + yaml.length() + " chars]";
  }
}
