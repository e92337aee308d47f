package dev.lunar.bench;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.ProcState;
import dev.lunar.runtime.proc.SpawnOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap per idle process: N one-page sleepers, each parked in poll_oneoff, and the heap in use after
 * GC compared with before the spawns.
 */
final class IdleBench {
  private IdleBench() {}

  static void run(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    LoadedModule sleeper = Guests.load(ModuleLoader.inMemory(false), "sleeper");
    GuestSpec spec = Guests.spec();
    try (Node node = new Node(NodeConfig.defaults())) {
      // One spawn first so classes, the compiled module and the node's tables are in "before".
      settle(List.of(node.spawn(sleeper, spec, SpawnOptions.DEFAULT)));
      long before = Heap.usedAfterGc();
      List<Proc> procs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        procs.add(node.spawn(sleeper, spec, SpawnOptions.DEFAULT));
      }
      settle(procs);
      long after = Heap.usedAfterGc();
      Report.line("idle.lunar." + n, (after - before) / 1024.0 / n, "KiB/proc");
      for (Proc p : procs) {
        node.kill(p.pid(), ExitReason.KILLED);
      }
    }
  }

  /** Waits until every process is parked, so its stack is as it will stay. */
  static void settle(List<Proc> procs) throws InterruptedException {
    for (Proc p : procs) {
      while (p.state() != ProcState.WAITING) {
        Thread.sleep(1);
      }
    }
  }
}
