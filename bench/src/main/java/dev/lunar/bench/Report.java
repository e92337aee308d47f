package dev.lunar.bench;

import java.util.Locale;

/** Prints the one machine-readable line per measurement: {@code name value unit}. */
final class Report {
  private Report() {}

  static void line(String name, double value, String unit) {
    System.out.printf(Locale.ROOT, "%s %.3f %s%n", name, value, unit);
    System.out.flush();
  }

  /** Progress and explanations go to stderr so stdout stays machine-readable. */
  static void note(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }
}
