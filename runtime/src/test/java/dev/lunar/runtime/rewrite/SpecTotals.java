package dev.lunar.runtime.rewrite;

/** Totals over the spec-suite files, printed once the suite has run. */
final class SpecTotals {
  private int files;
  private int commands;
  private int originalPassed;
  private int rewrittenPassed;
  private int skipped;
  private int modules;
  private int rejected;
  private long yields;
  private long nanos;
  private final StringBuilder originalFailures = new StringBuilder();
  private final java.util.TreeMap<Long, String> slowest = new java.util.TreeMap<>();

  synchronized void add(String file, SpecRunner r, boolean compiled, long elapsed) {
    slowest.put(elapsed, file + (compiled ? " [compiled]" : ""));
    if (slowest.size() > 8) {
      slowest.pollFirstEntry();
    }
    files++;
    commands += r.commands;
    originalPassed += r.originalPassed;
    rewrittenPassed += r.rewrittenPassed;
    skipped += r.skipped;
    modules += r.modules;
    rejected += r.rejected;
    yields += r.yields();
    nanos += elapsed;
    String engine = compiled ? " [compiled] " : " ";
    r.originalFailures()
        .forEach((k, v) ->
            originalFailures.append("  ").append(k).append(engine).append(v).append('\n'));
  }

  synchronized String summary() {
    return String.format(
            "spec suite: %d file runs, %d commands (%d modules, %d binary rejections), %d skipped;"
                + " original passed %d, rewritten passed %d; %d yields; %.1f s%n",
            files,
            commands,
            modules,
            rejected,
            skipped,
            originalPassed,
            rewrittenPassed,
            yields,
            nanos / 1e9)
        + "slowest: "
        + slowest.descendingMap().entrySet().stream()
            .map(e -> e.getValue() + String.format(" %.1f s", e.getKey() / 1e9))
            .toList()
        + "\ncommands the original fails:\n"
        + originalFailures;
  }
}
