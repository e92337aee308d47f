package dev.lunar.runtime.metrics;

/**
 * A part of the node that reports metrics (processes, the KV store, the FUSE mount). Called on
 * every read of {@code /metrics} and every HTTP scrape, from any thread.
 */
@FunctionalInterface
public interface MetricSource {
  void report(Prometheus out);
}
