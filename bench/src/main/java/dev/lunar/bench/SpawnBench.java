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
 *
 * <p>The spawn path runs cold for its first few hundred thousand spawns, until the JIT has compiled
 * it, and a node spawns far more than that in its life, so the measurement follows a warm-up of
 * WARM_SECONDS (5 by default) of spawning.
 */
final class SpawnBench {
  private SpawnBench() {}

  static void run(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int inFlight = Integer.parseInt(args[1]);
    double warmSeconds = args.length > 2 ? Double.parseDouble(args[2]) : 5;
    LoadedModule nop = Guests.load(ModuleLoader.inMemory(false), "nop");
    GuestSpec spec = Guests.spec();
    try (Node node = new Node(NodeConfig.defaults())) {
      Spawner wasm = () -> node.spawn(nop, spec, SpawnOptions.DEFAULT);
      ProcessBody nothing = self -> {};
      Spawner java = () -> node.spawn("nop", nothing, SpawnOptions.DEFAULT);
      warmUp(wasm, warmSeconds, inFlight);
      warmUp(java, warmSeconds / 5, inFlight);
      Report.line("spawn.lunar", rate(wasm, n, inFlight), "procs/s");
      Report.line("spawn.java-body", rate(java, n, inFlight), "procs/s");
    }
  }

  /** One spawn; the returned process is watched for its exit. */
  interface Spawner {
    dev.lunar.runtime.proc.Proc spawn() throws Exception;
  }

  /** Spawns for {@code seconds}, so the JIT compiles the spawn path before it is timed. */
  static void warmUp(Spawner spawner, double seconds, int inFlight) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    do {
      rate(spawner, 10_000, inFlight);
    } while (System.nanoTime() < end);
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
