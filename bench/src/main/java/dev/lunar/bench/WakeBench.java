package dev.lunar.bench;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.SpawnOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Wake-up latency beside computing processes: {@code SPINNERS} processes count for ever ({@code
 * spin.wasm}), and one more ({@code waker.wasm}) sleeps 1 ms {@code SLEEPS} times and notes how
 * late each wake-up was. Prints {@code wake.N.p50}, {@code .p99} and {@code .max} in microseconds,
 * N the number of spinners.
 */
final class WakeBench {
  private WakeBench() {}

  static void run(String[] args) throws Exception {
    int sleeps = Integer.parseInt(args[0]);
    ModuleLoader loader = ModuleLoader.inMemory(false);
    LoadedModule spin = Guests.load(loader, "spin");
    LoadedModule waker = Guests.load(loader, "waker");
    try (Node node = new Node(NodeConfig.defaults())) {
      // Warm-up: spin and waker compiled, beside one spinner as well as two (a lone spinner's
      // first round otherwise ran at under half the speed of its later rounds).
      round(node, spin, waker, 1, sleeps, 1500, false);
      round(node, spin, waker, 2, sleeps, 1500, false);
      for (int a = 1; a < args.length; a++) {
        round(node, spin, waker, Integer.parseInt(args[a]), sleeps, 500, true);
      }
    }
  }

  private static void round(
      Node node,
      LoadedModule spin,
      LoadedModule waker,
      int spinners,
      int sleeps,
      long settleMillis,
      boolean report)
      throws Exception {
    String late;
    double seconds;
    long counted;
    try (var hogs = new Spinners(node, spin, spinners, settleMillis)) {
      long before = hogs.reductions();
      long start = System.nanoTime();
      late = measure(node, waker, spinners, String.valueOf(sleeps));
      seconds = (System.nanoTime() - start) / 1e9;
      counted = hogs.reductions() - before;
    }
    if (!report) {
      return;
    }
    String name = "wake." + spinners;
    Report.latencies(name, late);
    if (spinners > 0) {
      Report.line(name + ".spin.lunar", counted / seconds / 1e6, "Mred/s");
    }
  }

  private static String measure(Node node, LoadedModule waker, int spinners, String sleeps)
      throws Exception {
    var out = new ByteArrayOutputStream();
    ExitReason reason =
        node.spawn(waker, Guests.spec(out, sleeps), SpawnOptions.DEFAULT).awaitExit();
    if (!reason.isNormal()) {
      throw new IllegalStateException("waker beside " + spinners + " ended " + reason.text());
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
