package dev.lunar.bench;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Where a wasm spawn's time goes, without a profiler: the steps a wasm process takes (WASI set-up,
 * host-function table, Instance build, running {@code _start}) redone by hand on one thread and
 * timed one by one, plus the bare virtual-thread start + exit rate. Mirrors what the runtime's
 * process body does so the parts can be compared with the whole spawn rate.
 */
final class SpawnParts {
  /** Stands in for the runtime's reduction-counting yield: never asks to yield. */
  private static final HostFunction YIELD =
      new HostFunction(
          "lunar",
          "yield",
          FunctionType.of(List.of(), List.of(ValType.I32)),
          (instance, args) -> new long[] {0});

  private SpawnParts() {}

  static void run(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    // "interpret" as a second argument: the same with Chicory's interpreter, to tell the compiled
    // machine's share of the Instance build.
    boolean interpret = args.length > 1 && args[1].equals("interpret");
    String prefix = interpret ? "spawn.part-interpreted." : "spawn.part.";
    LoadedModule nop = Guests.load(ModuleLoader.inMemory(interpret), "nop");
    measure(nop, Math.max(1000, n / 5)); // warm-up
    long[] ns = measure(nop, n);
    String[] names = {"wasi", "host-functions", "instance", "start"};
    for (int i = 0; i < names.length; i++) {
      Report.line(prefix + names[i], ns[i] / 1e3 / n, "us");
    }
    vthreadRate(n); // warm-up
    Report.line("spawn.part.vthread", vthreadRate(n), "threads/s");
  }

  private static long[] measure(LoadedModule module, int n) {
    long[] ns = new long[4];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      var options =
          WasiOptions.builder()
              .withStdin(new ByteArrayInputStream(new byte[0]), false)
              .withStdout(OutputStream.nullOutputStream(), false)
              .withStderr(OutputStream.nullOutputStream(), false)
              .withArguments(List.of("nop"))
              .build();
      try (var wasi = WasiPreview1.builder().withOptions(options).build()) {
        long t1 = System.nanoTime();
        var imports =
            ImportValues.builder().addFunction(wasi.toHostFunctions()).addFunction(YIELD).build();
        long t2 = System.nanoTime();
        var builder = Instance.builder(module.module()).withImportValues(imports).withStart(false);
        if (module.machines() != null) {
          builder.withMachineFactory(module.machines());
        }
        Instance instance = builder.build();
        long t3 = System.nanoTime();
        try {
          instance.export("_start").apply();
        } catch (WasiExitException e) {
          // exit(0) may end _start this way; it is still a normal end.
        }
        long t4 = System.nanoTime();
        ns[0] += t1 - t0;
        ns[1] += t2 - t1;
        ns[2] += t3 - t2;
        ns[3] += t4 - t3;
      }
    }
    return ns;
  }

  /** Virtual threads started and finished per second, a few thousand in flight. */
  private static double vthreadRate(int n) throws InterruptedException {
    var slots = new java.util.concurrent.Semaphore(2000);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      Thread.ofVirtual().start(slots::release);
    }
    slots.acquire(2000);
    return n / ((System.nanoTime() - start) / 1e9);
  }
}
