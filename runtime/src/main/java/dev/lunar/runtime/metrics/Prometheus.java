package dev.lunar.runtime.metrics;

import java.util.Map;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): a {@code # HELP} and {@code # TYPE}
 * line per metric family, then its samples. Not thread-safe: one per rendering.
 */
public final class Prometheus {
  private final StringBuilder out = new StringBuilder(4096);

  /** Starts a family; {@code type} is {@code counter} or {@code gauge}. */
  public Prometheus family(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** A sample without labels. */
  public Prometheus sample(String name, long value) {
    out.append(name).append(' ').append(value).append('\n');
    return this;
  }

  /** A sample with one label. */
  public Prometheus sample(String name, String label, String labelValue, long value) {
    out.append(name).append('{').append(label).append("=\"");
    escape(labelValue);
    out.append("\"} ").append(value).append('\n');
    return this;
  }

  /** One sample per entry of {@code values}, labelled {@code label}. */
  public Prometheus samples(String name, String label, Map<String, Long> values) {
    values.forEach((k, v) -> sample(name, label, k, v));
    return this;
  }

  private void escape(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  public String text() {
    return out.toString();
  }
}
