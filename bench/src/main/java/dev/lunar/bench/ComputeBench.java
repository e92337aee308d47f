package dev.lunar.bench;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.SpawnOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Wall time of one run of a compute guest under each of Lunar's ways to run wasm. scripts/bench
 * puts V8 ({@code bench/compute/v8.mjs}) and native gcc -O2 ({@code bench/compute/native.c}) runs
 * of the same C sources and inputs beside these lines.
 *
 * <p>{@code Bench compute WARMUP ROUNDS MODES GUEST=ARG...}, MODES a comma list of:
 *
 * <ul>
 *   <li>{@code compiled}: compiled to JVM bytecode with reduction counting, as Lunar runs guests;
 *   <li>{@code norewrite}: compiled, without the reduction-counting rewrite;
 *   <li>{@code interpreted}: Chicory's interpreter, with reduction counting.
 * </ul>
 *
 * <p>Each round runs every guest once in every mode, in turn, so the modes alternate. A run is
 * timed from spawn to exit: instantiation (under a millisecond) is in, loading and compiling the
 * module are not. Prints {@code compute.GUEST-ARG.lunar-MODE MS ms}.
 */
final class ComputeBench {
  private ComputeBench() {}

  private record Mode(String name, ModuleLoader loader) {}

  static void run(String[] args) throws Exception {
    int warmup = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    List<Mode> modes = new ArrayList<>();
    for (String name : args[2].split(",")) {
      modes.add(new Mode(name, loader(name)));
    }
    List<String[]> guests = Arrays.stream(args, 3, args.length).map(g -> g.split("=", 2)).toList();
    try (Node node = new Node(NodeConfig.defaults())) {
      // Each mode's module is its own set of classes to the JIT: warm every one.
      LoadedModule[][] loaded = new LoadedModule[guests.size()][modes.size()];
      for (int g = 0; g < guests.size(); g++) {
        for (int m = 0; m < modes.size(); m++) {
          loaded[g][m] = Guests.load(modes.get(m).loader(), guests.get(g)[0]);
          for (int i = 0; i < warmup; i++) {
            time(node, loaded[g][m], guests.get(g)[1]);
          }
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (int g = 0; g < guests.size(); g++) {
          for (int m = 0; m < modes.size(); m++) {
            String[] guest = guests.get(g);
            double ms = time(node, loaded[g][m], guest[1]);
            Report.line(
                "compute." + guest[0] + "-" + guest[1] + ".lunar-" + modes.get(m).name(), ms, "ms");
          }
        }
      }
    }
  }

  private static ModuleLoader loader(String mode) {
    return switch (mode) {
      case "compiled" -> ModuleLoader.inMemory(false);
      case "norewrite" -> ModuleLoader.withoutPreemption(false);
      case "interpreted" -> ModuleLoader.inMemory(true);
      default -> throw new IllegalArgumentException("no mode " + mode);
    };
  }

  /** Milliseconds from spawn to exit of one run. */
  private static double time(Node node, LoadedModule module, String arg) throws Exception {
    long start = System.nanoTime();
    ExitReason reason = node.spawn(module, Guests.spec(arg), SpawnOptions.DEFAULT).awaitExit();
    long took = System.nanoTime() - start;
    if (!reason.isNormal()) {
      throw new IllegalStateException(module.name() + " ended with " + reason.text());
    }
    return took / 1e6;
  }
}
