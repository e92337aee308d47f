package dev.lunar.bench;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.SpawnOptions;

/**
 * What reduction counting costs in compiled mode: the same guest loaded with and without the
 * rewrite, run alternately as processes. {@code .lunar} lines are with counting, {@code .peer}
 * lines without. {@code .noyield} lines are with counting but a slice so long that the process
 * never yields, which splits the cost of counting from the cost of yielding every slice.
 */
final class PreemptBench {
  private PreemptBench() {}

  static void run(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int warmup = Integer.parseInt(args[1]);
    String fibN = args[2];
    String spinN = args[3];
    var counted = ModuleLoader.inMemory(false);
    var plain = ModuleLoader.withoutPreemption(false);
    try (Node node = new Node(NodeConfig.defaults());
        Node longSlices = new Node(NodeConfig.defaults().withSliceReductions(1 << 30))) {
      for (String[] guest : new String[][] {{"fib", fibN}, {"spin", spinN}}) {
        LoadedModule on = Guests.load(counted, guest[0]);
        LoadedModule off = Guests.load(plain, guest[0]);
        // Both versions are separate classes to the JIT: warm each one up on its own.
        for (int i = 0; i < warmup; i++) {
          time(node, on, guest[1]);
          time(node, off, guest[1]);
          time(longSlices, on, guest[1]);
        }
        for (int r = 0; r < rounds; r++) {
          Report.line("preempt." + guest[0] + ".lunar", time(node, on, guest[1]) / 1e6, "ms");
          Report.line("preempt." + guest[0] + ".peer", time(node, off, guest[1]) / 1e6, "ms");
          Report.line(
              "preempt." + guest[0] + ".noyield", time(longSlices, on, guest[1]) / 1e6, "ms");
        }
      }
    }
  }

  /** Nanoseconds from spawn to exit of one run. */
  private static long time(Node node, LoadedModule module, String arg) throws Exception {
    long start = System.nanoTime();
    ExitReason reason = node.spawn(module, Guests.spec(arg), SpawnOptions.DEFAULT).awaitExit();
    long took = System.nanoTime() - start;
    if (!reason.isNormal()) {
      throw new IllegalStateException(module.name() + " ended with " + reason.text());
    }
    return took;
  }
}
