package dev.lunar.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lunar top}: the busiest processes, refreshed. */
@Command(
    name = "top",
    mixinStandardHelpOptions = true,
    description =
        "Show the processes that ran the most reductions in the last interval (the first"
            + " refresh: since each started), refreshed until Ctrl-C (or --iterations).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:the mount could not be read",
      "2:bad usage: a count or interval that is not positive",
      "69:no mount found"
    })
final class TopCommand extends ClientCommand {
  @Option(
      names = {"-d", "--interval"},
      paramLabel = "SECONDS",
      description =
          "Seconds between refreshes, more than 0; fractions work (default ${DEFAULT-VALUE}).")
  double interval = 2;

  @Option(
      names = {"-n", "--iterations"},
      paramLabel = "N",
      description = "Stop after N refreshes, N at least 1 (default: run until interrupted).")
  Integer iterations; // null: until interrupted

  @Option(
      names = {"-b", "--batch"},
      description = "Print each refresh below the last instead of redrawing the screen.")
  boolean batch;

  @Option(
      names = "--lines",
      paramLabel = "N",
      description = "Rows shown, at least 1 (default ${DEFAULT-VALUE}).")
  int lines = 20;

  TopCommand(Io io) {
    super(io);
  }

  @Override
  void check() {
    if (!(interval > 0) || Double.isInfinite(interval)) { // NaN fails the first test
      throw usage("--interval must be a number of seconds above 0, not " + given("--interval"));
    }
    if (iterations != null && iterations < 1) {
      throw usage("--iterations must be at least 1, not " + iterations);
    }
    if (lines < 1) {
      throw usage("--lines must be at least 1, not " + lines);
    }
  }

  /** The text given for {@code option}, as the user wrote it. */
  private String given(String option) {
    List<String> values = spec.findOption(option).originalStringValues();
    return values.isEmpty() ? "" : "'" + values.getLast() + "'";
  }

  @Override
  void run(Mounted tree) throws IOException, ClientException {
    Map<String, Long> before = new HashMap<>();
    for (int i = 0; iterations == null || i < iterations; i++) {
      if (i > 0) {
        pause();
      }
      List<Map<String, String>> procs = ProcTable.read(tree);
      Map<String, Long> delta = new HashMap<>();
      for (var p : procs) {
        long r = Long.parseLong(p.getOrDefault("reductions", "0"));
        // A process not seen before counts from its start, as in the first refresh.
        delta.put(p.get("pid"), r - before.getOrDefault(p.get("pid"), 0L));
        before.put(p.get("pid"), r);
      }
      List<Map<String, String>> sorted = new ArrayList<>(procs);
      sorted.sort(
          Comparator.comparing((Map<String, String> p) -> -delta.get(p.get("pid")))
              .thenComparing(p -> Long.parseLong(p.get("pid"))));
      if (!batch) {
        io.out.print("\033[H\033[2J");
      }
      io.out.printf(
          "lunar top — %d processes, %s%n%n", procs.size(), summary(tree.path("metrics")));
      ProcTable.header(io.out, "REDS/INTERVAL");
      for (var p : sorted.subList(0, Math.min(lines, sorted.size()))) {
        ProcTable.row(io.out, p, Long.toString(delta.get(p.get("pid"))), true);
      }
      io.out.println();
      io.out.flush();
    }
  }

  private void pause() throws ClientException {
    try {
      Thread.sleep((long) (interval * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException(FAILED, "interrupted");
    }
  }

  /** Totals from {@code /metrics}, if the node has it. */
  private static String summary(java.nio.file.Path metrics) {
    try {
      long spawns = 0;
      long messages = 0;
      for (String line : Files.readAllLines(metrics)) {
        if (line.startsWith("lunar_spawns_total ")) {
          spawns = Long.parseLong(line.substring(line.indexOf(' ') + 1));
        } else if (line.startsWith("lunar_messages_total ")) {
          messages = Long.parseLong(line.substring(line.indexOf(' ') + 1));
        }
      }
      return spawns + " spawned, " + messages + " messages since start";
    } catch (IOException | NumberFormatException e) {
      return "no /metrics";
    }
  }
}
