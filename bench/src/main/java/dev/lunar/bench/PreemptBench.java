package dev.lunar.bench;

import com.sun.management.ThreadMXBean;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.SpawnOptions;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * What reduction counting costs in compiled mode: the same guest loaded with and without the
 * rewrite, run alternately as processes. {@code .lunar} lines are with counting, {@code .peer}
 * lines without. {@code .noyield} lines are with counting but a slice so long that the process
 * never yields, which splits the cost of counting from the cost of yielding every slice.
 *
 * <p>Each run is reported twice: wall time, and the JVM's CPU time over the run ({@code .cpu.}
 * lines). On a shared machine other processes stretch the wall time of whichever run they overlap;
 * CPU time leaves that out (it still includes the JVM's own compiler and GC threads, which are idle
 * once the guests are warm).
 */
final class PreemptBench {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

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
      List<String[]> guests =
          new ArrayList<>(List.of(new String[][] {{"fib", fibN}, {"spin", spinN}}));
      if (args.length > 4) {
        guests.add(new String[] {"hash", args[4]});
      }
      for (String[] guest : guests) {
        LoadedModule on = Guests.load(counted, guest[0]);
        LoadedModule off = Guests.load(plain, guest[0]);
        // Both versions are separate classes to the JIT: warm each one up on its own.
        for (int i = 0; i < warmup; i++) {
          time(node, on, guest[1]);
          time(node, off, guest[1]);
          time(longSlices, on, guest[1]);
        }
        for (int r = 0; r < rounds; r++) {
          report(guest[0], "lunar", time(node, on, guest[1]));
          report(guest[0], "peer", time(node, off, guest[1]));
          report(guest[0], "noyield", time(longSlices, on, guest[1]));
        }
      }
    }
  }

  private static void report(String guest, String side, long[] took) {
    Report.line("preempt." + guest + "." + side, took[0] / 1e6, "ms");
    Report.line("preempt." + guest + ".cpu." + side, took[1] / 1e6, "ms");
  }

  /**
   * CPU nanoseconds used so far by the JVM's live platform threads, carrier threads included (the
   * process clock ticks only every 10 ms). A thread that ends in between is not counted; none of
   * the threads busy during a run does.
   */
  private static long cpuTime() {
    long sum = 0;
    for (long t : THREADS.getThreadCpuTime(THREADS.getAllThreadIds())) {
      sum += Math.max(t, 0);
    }
    return sum;
  }

  /** Wall and CPU nanoseconds from spawn to exit of one run. */
  private static long[] time(Node node, LoadedModule module, String arg) throws Exception {
    long cpu = cpuTime();
    long start = System.nanoTime();
    ExitReason reason = node.spawn(module, Guests.spec(arg), SpawnOptions.DEFAULT).awaitExit();
    long took = System.nanoTime() - start;
    cpu = cpuTime() - cpu;
    if (!reason.isNormal()) {
      throw new IllegalStateException(module.name() + " ended with " + reason.text());
    }
    return new long[] {took, cpu};
  }
}
