package dev.lunar.runtime.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The node's metrics: the sources that report into {@code /metrics}, in the order added.
 * Thread-safe.
 */
public final class Metrics {
  private final List<MetricSource> sources = new CopyOnWriteArrayList<>();

  public Metrics add(MetricSource source) {
    sources.add(source);
    return this;
  }

  /** Every source's families, in the Prometheus text format. */
  public String render() {
    var out = new Prometheus();
    for (MetricSource s : sources) {
      s.report(out);
    }
    return out.text();
  }
}
