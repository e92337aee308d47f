package dev.lunar.runtime.proc;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.lunar.fs.ByteBudget;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Waits;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.wasi.GuestWasi;
import dev.lunar.runtime.wasi.WasiImports;
import dev.lunar.runtime.wasi.WasiLogger;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of a wasm process: instantiates the module with WASI and a memory that counts the
 * reductions the rewritten module ticks off ({@link #memory}), then calls {@code _start}.
 * Everything that can be checked before the process exists (imports, directories, memory) is
 * checked in {@link #prepare}, so a spawn that cannot work fails at once with a {@link
 * ModuleException}.
 */
final class WasmBody implements ProcessBody {
  private static final int PAGE = 65536;

  /** Every import a guest may have: WASI, one table for all modules. */
  static final ImportValues IMPORTS = imports();

  private final Instances.Kind kind;
  private final WasiPreview1 wasi;
  private final int hostDirs;

  private WasmBody(Instances.Kind kind, WasiPreview1 wasi, int hostDirs) {
    this.kind = kind;
    this.wasi = wasi;
    this.hostDirs = hostDirs;
  }

  static ProcessBody prepare(
      Instances instances, LoadedModule module, GuestSpec spec, long maxMemory)
      throws ModuleException {
    for (var dir : spec.dirs().entrySet()) {
      if (!Files.isDirectory(dir.getValue())) {
        throw new ModuleException("--dir " + dir.getValue() + ": no such directory");
      }
    }
    MemoryLimits limits = memoryLimits(module.module(), maxMemory);
    if (!instances.knows(module)) {
      checkImports(module.module());
    }
    var kind = instances.kind(module, limits);
    return new WasmBody(kind, wasi(module.name(), spec), spec.dirs().size());
  }

  @Override
  public void run(Proc self) throws FsException {
    var guest = new GuestWasi(self, wasi, self.node().treeFor(self), hostDirs);
    boolean ended = false; // by returning from _start or calling proc_exit, not by a trap or kill
    try (wasi) {
      // Bound together: bound on its own, around the body, the waiter cost each idle process about
      // half a KiB more (Bench idle 10000), its frames kept on every parked stack.
      ScopedValue.where(WasiImports.CURRENT, guest)
          .where(Waits.WAITER, self::waitOffCpu)
          .run(() -> start(self));
      ended = true;
    } catch (WasiExitException e) {
      ended = true;
      throw e;
    } finally {
      guest.closeAll(!ended);
    }
  }

  /** Runs {@code _start} on an instance from the node's {@link Instances}, and gives it back. */
  private void start(Proc self) {
    Instances instances = self.node().instances();
    Instance instance = instances.take(kind);
    if (instance.memory() != null) {
      self.own(instance.memory());
    }
    boolean clean = false;
    try {
      instance.export("_start").apply();
      clean = true;
    } catch (WasiExitException e) {
      clean = true;
      throw e;
    } finally {
      self.letGoOfMemory(); // the next process may take the instance at once
      if (clean) {
        instances.give(kind, instance);
      } else {
        instances.drop(instance.memory());
      }
    }
  }

  /**
   * A process's memory: it counts the reductions the rewritten module ticks off, for whichever
   * process runs the instance (so that a spare holds on to none), from the instance's start
   * function on. A module loaded without the rewrite never ticks. Its blocks count in {@code
   * resident}, the node's budget for guests' memory.
   */
  static Memory memory(MemoryLimits limits, ByteBudget resident) {
    Memory memory = SparseMemory.of(limits, resident);
    if (memory instanceof SparseMemory counter) {
      counter.countReductions(() -> WasiImports.CURRENT.get().self().endSlice());
    }
    return memory;
  }

  private static ImportValues imports() {
    var imports = ImportValues.builder();
    for (HostFunction f : WasiImports.functions()) {
      imports.addFunction(f);
    }
    return imports.build();
  }

  /** Whether a process of {@code module} could start: its memory at start, then its imports. */
  static void check(WasmModule module, long maxMemory) throws ModuleException {
    memoryLimits(module, maxMemory);
    checkImports(module);
  }

  /** The module's own memory, capped at the process's limit so the page table stays small. */
  private static MemoryLimits memoryLimits(WasmModule module, long maxMemory)
      throws ModuleException {
    int limitPages = (int) Math.min(MemoryLimits.MAX_PAGES, maxMemory / PAGE);
    var section = module.memorySection();
    if (section.isEmpty() || section.get().memoryCount() == 0) {
      return new MemoryLimits(0, 0);
    }
    MemoryLimits declared = section.get().getMemory(0).limits();
    if (declared.initialPages() > limitPages) {
      throw new ModuleException(
          "needs "
              + declared.initialPages() * (PAGE / 1024)
              + " KiB of memory at start, over the limit of "
              + maxMemory / 1024
              + " KiB");
    }
    return new MemoryLimits(
        declared.initialPages(), Math.min(declared.maximumPages(), limitPages), declared.shared());
  }

  private static WasiPreview1 wasi(String name, GuestSpec spec) {
    List<String> argv = new ArrayList<>();
    argv.add(name);
    argv.addAll(spec.args());
    var options =
        WasiOptions.builder()
            .withStdin(spec.stdin(), false)
            .withStdout(spec.stdout(), false)
            .withStderr(spec.stderr(), false)
            .withArguments(argv);
    spec.env().forEach(options::withEnvironment);
    spec.dirs().forEach(options::withDirectory);
    return WasiPreview1.builder().withLogger(WasiLogger.QUIET).withOptions(options.build()).build();
  }

  /** Names the first import we cannot satisfy, instead of Chicory's import number. */
  static void checkImports(WasmModule module) throws ModuleException {
    Map<String, FunctionType> available = new HashMap<>();
    for (ImportFunction f : IMPORTS.functions()) {
      available.put(f.module() + "." + f.name(), f.functionType());
    }
    var imports = module.importSection();
    for (int i = 0; i < imports.importCount(); i++) {
      Import imp = imports.getImport(i);
      String name = imp.module() + "." + imp.name();
      FunctionType type = available.get(name);
      if (imp.importType() != ExternalType.FUNCTION || type == null) {
        throw new ModuleException("unknown import " + name);
      }
      var wanted = module.typeSection().getType(((FunctionImport) imp).typeIndex());
      if (!wanted.equals(type)) {
        throw new ModuleException("import " + name + " has the wrong type");
      }
    }
  }
}
