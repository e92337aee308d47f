package dev.lunar.bench;

import java.util.Locale;

/** Prints the one machine-readable line per measurement: {@code name value unit}. */
final class Report {
  private Report() {}

  static void line(String name, double value, String unit) {
    System.out.printf(Locale.ROOT, "%s %.3f %s%n", name, value, unit);
    System.out.flush();
  }

  /**
   * {@code NAME.p50.lunar}, {@code .p99.lunar} and {@code .max.lunar} of latencies in microseconds,
   * as a guest printed them to {@code out}, one per line.
   */
  static void latencies(String name, String out) {
    long[] late = out.lines().mapToLong(Long::parseLong).sorted().toArray();
    line(name + ".p50.lunar", late[late.length / 2], "us");
    line(name + ".p99.lunar", late[late.length * 99 / 100], "us");
    line(name + ".max.lunar", late[late.length - 1], "us");
  }

  /** Progress and explanations go to stderr so stdout stays machine-readable. */
  static void note(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }
}
