package dev.lunar.bench;

import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * How many idle one-page processes fit in this JVM's heap: spawns sleepers until a spawn fails
 * (OutOfMemoryError or otherwise) or the time budget ends. Progress lines go out every 500 spawns
 * so that a JVM lost to a full heap still leaves a count behind.
 */
final class FillBench {
  private FillBench() {}

  static void run(String[] args) throws Exception {
    long deadline = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    LoadedModule sleeper = Guests.load(ModuleLoader.inMemory(false), "sleeper");
    GuestSpec spec = Guests.spec();
    Report.note("fill: max heap %d MiB", Heap.max() >> 20);
    List<Proc> procs = new ArrayList<>();
    String why = "time budget";
    Node node = new Node(NodeConfig.defaults());
    try {
      while (System.nanoTime() < deadline) {
        procs.add(node.spawn(sleeper, spec, SpawnOptions.DEFAULT));
        if (procs.size() % 500 == 0) {
          IdleBench.settle(procs.subList(procs.size() - 500, procs.size()));
          Report.line("fill.progress", procs.size(), "procs");
        }
      }
    } catch (Throwable t) {
      // The node still holds the processes, so the heap stays full: the progress lines above are
      // the count that survives if reporting here fails too.
      int count = procs.size();
      procs = null;
      why = t.getClass().getSimpleName();
      Report.line("fill.lunar", count, "procs");
      Report.note("fill: stopped by %s: %s", why, t.getMessage());
      return;
    }
    Report.line("fill.lunar", procs.size(), "procs");
    Report.note("fill: stopped by %s", why);
  }
}
