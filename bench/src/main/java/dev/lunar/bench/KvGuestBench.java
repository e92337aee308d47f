package dev.lunar.bench;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Puts from guests: {@code WRITERS} processes ({@code kvput.wasm}) each put {@code PUTS} keys of
 * {@code SIZE} bytes through {@code /kv} (open/write/close; each close waits for its commit), into
 * a RocksDB store on disk with the node's default durability (synced). Each round runs them beside
 * N processes that count for ever ({@code spin.wasm}), for each N given, and prints {@code
 * kvguest.N.put} (puts per second, all writers), {@code .per-write} (puts per synced write: the
 * commit groups) and {@code .spin} (the spinners' reductions per second). The peer makes the same
 * puts from as many plain virtual threads through the same {@code /kv} tree, beside the same
 * spinners: what the store gives callers that are not processes, with no WASI and no run token.
 *
 * <p>{@code Bench kvguest WRITERS PUTS SIZE SPINNERS...}
 */
final class KvGuestBench {
  private KvGuestBench() {}

  static void run(String[] args) throws Exception {
    int writers = Integer.parseInt(args[0]);
    int puts = Integer.parseInt(args[1]);
    int size = Integer.parseInt(args[2]);
    ModuleLoader loader = ModuleLoader.inMemory(false);
    LoadedModule spin = Guests.load(loader, "spin");
    LoadedModule kvput = Guests.load(loader, "kvput");
    try (var kv = new KvNode(loader)) {
      var round = new Round(kv, spin, kvput, writers, size);
      // The KV and WASI paths compiled by the JIT first, beside few spinners and many: after a
      // single warm-up round, the first round measured ran slower than the same round run again.
      round.run("warm", puts, 2, false);
      round.run("warm8", puts, 8, false);
      for (int a = 3; a < args.length; a++) {
        round.run("r" + a, puts, Integer.parseInt(args[a]), true);
      }
    }
  }

  private record Round(KvNode kv, LoadedModule spin, LoadedModule kvput, int writers, int size) {

    void run(String prefix, int puts, int spinners, boolean report) throws Exception {
      double seconds;
      long spun;
      double perWrite;
      double peer;
      try (var hogs = new Spinners(kv.node, spin, spinners, 500)) {
        long spunBefore = hogs.reductions();
        long writesBefore = kv.store.writes();
        long changesBefore = kv.store.changes();
        long start = System.nanoTime();
        List<Proc> puters = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          var spec = Guests.spec("b", prefix + "-" + w, String.valueOf(puts), String.valueOf(size));
          puters.add(kv.node.spawn(kvput, spec, SpawnOptions.DEFAULT));
        }
        for (Proc p : puters) {
          ExitReason reason = p.awaitExit();
          if (!reason.isNormal()) {
            throw new IllegalStateException("kvput ended " + reason.text());
          }
        }
        seconds = (System.nanoTime() - start) / 1e9;
        spun = hogs.reductions() - spunBefore;
        perWrite =
            (double) (kv.store.changes() - changesBefore)
                / Math.max(1, kv.store.writes() - writesBefore);
        peer = peer(prefix, puts); // beside the same spinners
      }
      if (report) {
        String name = "kvguest." + spinners;
        Report.line(name + ".put.lunar", (double) writers * puts / seconds, "ops/s");
        Report.line(name + ".put.peer", peer, "ops/s");
        Report.line(name + ".per-write.lunar", perWrite, "puts");
        if (spinners > 0) {
          Report.line(name + ".spin.lunar", spun / seconds / 1e6, "Mred/s");
        }
      }
    }

    /** The same puts from plain virtual threads through the tree; puts per second. */
    private double peer(String prefix, int puts) throws Exception {
      byte[] value = new byte[size];
      Arrays.fill(value, (byte) 'v');
      List<Thread> threads = new ArrayList<>();
      var failed = new AtomicReference<Exception>();
      long start = System.nanoTime();
      for (int w = 0; w < writers; w++) {
        String name = "p" + prefix + "-" + w + "-";
        threads.add(
            Thread.ofVirtual()
                .start(() -> {
                  try {
                    for (int i = 0; i < puts; i++) {
                      KvBench.filePut(kv.kv, name + i, value);
                    }
                  } catch (Exception e) {
                    failed.set(e);
                  }
                }));
      }
      for (Thread t : threads) {
        t.join();
      }
      if (failed.get() != null) {
        throw failed.get();
      }
      return (double) writers * puts / ((System.nanoTime() - start) / 1e9);
    }
  }
}
