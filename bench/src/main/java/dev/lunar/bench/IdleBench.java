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
 * GC compared with before the spawns. The sleeper is {@code sleeper.wat} unless another guest is
 * named ({@code csleeper}: the same in C, with wasi-libc's start-up).
 */
final class IdleBench {
  private IdleBench() {}

  static void run(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    String guest = args.length > 1 ? args[1] : "sleeper";
    LoadedModule sleeper = Guests.load(ModuleLoader.inMemory(false), guest);
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
      Report.line(
          "idle.lunar." + (guest.equals("sleeper") ? "" : guest + ".") + n,
          (after - before) / 1024.0 / n,
          "KiB/proc");
      for (Proc p : procs) {
        node.kill(p.pid(), ExitReason.KILLED);
      }
    }
  }

  /**
   * Waits until every process is parked, so its stack is as it will stay. Fails when one has ended,
   * or has not parked 30 s after the one before: near a full heap the carrier threads can die of
   * OutOfMemoryError and no process runs again, while no spawn fails (fill at -Xmx1g).
   */
  static void settle(List<Proc> procs) throws InterruptedException {
    for (Proc p : procs) {
      long giveUp = System.nanoTime() + 30_000_000_000L;
      while (p.state() != ProcState.WAITING) {
        if (p.state() == ProcState.EXITED) {
          throw new IllegalStateException("process " + p.pid() + " ended: " + p.exitReason());
        }
        if (System.nanoTime() > giveUp) {
          throw new IllegalStateException("process " + p.pid() + " has not parked in 30 s");
        }
        Thread.sleep(1);
      }
    }
  }
}
