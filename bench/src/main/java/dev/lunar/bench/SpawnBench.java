package dev.lunar.bench;

import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.ProcessBody;
import dev.lunar.runtime.proc.SpawnOptions;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spawn + exit throughput: N processes of the one-page nop guest, spawned from the host with at
 * most IN_FLIGHT alive at once, timed until the last has exited. Also the same for Java-bodied
 * processes that do nothing, which is the floor set by process bookkeeping and virtual threads.
 */
final class SpawnBench {
  private SpawnBench() {}

  static void run(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int inFlight = Integer.parseInt(args[1]);
    LoadedModule nop = Guests.load(ModuleLoader.inMemory(false), "nop");
    GuestSpec spec = Guests.spec();
    try (Node node = new Node(NodeConfig.defaults())) {
      Spawner wasm = () -> node.spawn(nop, spec, SpawnOptions.DEFAULT);
      ProcessBody nothing = self -> {};
      Spawner java = () -> node.spawn("nop", nothing, SpawnOptions.DEFAULT);
      // Warm-up: the JIT and the virtual-thread scheduler, on a tenth of the run.
      rate(wasm, Math.max(1000, n / 10), inFlight);
      rate(java, Math.max(1000, n / 10), inFlight);
      Report.line("spawn.lunar", rate(wasm, n, inFlight), "procs/s");
      Report.line("spawn.java-body", rate(java, n, inFlight), "procs/s");
    }
  }

  /** One spawn; the returned process is watched for its exit. */
  interface Spawner {
    dev.lunar.runtime.proc.Proc spawn() throws Exception;
  }

  /** Processes per second, spawn of the first to exit of the last; fails on any abnormal exit. */
  static double rate(Spawner spawner, int n, int inFlight) throws Exception {
    var slots = new Semaphore(inFlight);
    var failed = new AtomicLong();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      spawner
          .spawn()
          .onExit(reason -> {
            if (!reason.isNormal()) {
              failed.incrementAndGet();
            }
            slots.release();
          });
    }
    slots.acquire(inFlight);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " processes did not exit normally");
    }
    return n / seconds;
  }
}
