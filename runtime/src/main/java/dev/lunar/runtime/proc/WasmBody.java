package dev.lunar.runtime.proc;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import dev.lunar.fs.FsException;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.wasi.GuestWasi;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of a wasm process: instantiates the module with WASI and the reduction-counting {@code
 * lunar.yield} import, then calls {@code _start}. Everything that can be checked before the process
 * exists (imports, directories, memory) is checked in {@link #prepare}, so a spawn that cannot work
 * fails at once with a {@link ModuleException}.
 */
final class WasmBody implements ProcessBody {
  static final String YIELD_MODULE = "lunar";
  static final String YIELD_NAME = "yield";
  private static final FunctionType YIELD_TYPE = FunctionType.of(List.of(), List.of(ValType.I32));
  private static final int PAGE = 65536;

  /** Modules whose imports were found satisfiable; weak, so unloaded modules go. */
  private static final Map<WasmModule, Boolean> CHECKED =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private final LoadedModule module;
  private final WasiPreview1 wasi;
  private final int hostDirs;
  private final MemoryLimits memoryLimits;

  private WasmBody(
      LoadedModule module, WasiPreview1 wasi, int hostDirs, MemoryLimits memoryLimits) {
    this.module = module;
    this.wasi = wasi;
    this.hostDirs = hostDirs;
    this.memoryLimits = memoryLimits;
  }

  static ProcessBody prepare(LoadedModule module, GuestSpec spec, long maxMemory)
      throws ModuleException {
    for (var dir : spec.dirs().entrySet()) {
      if (!Files.isDirectory(dir.getValue())) {
        throw new ModuleException("--dir " + dir.getValue() + ": no such directory");
      }
    }
    MemoryLimits limits = memoryLimits(module.module(), maxMemory);
    WasiPreview1 wasi = wasi(module.name(), spec);
    if (!CHECKED.containsKey(module.module())) {
      // Building the host functions costs as much as the rest of a spawn: once per module.
      try {
        checkImports(module.module(), wasi.toHostFunctions());
      } catch (ModuleException e) {
        wasi.close();
        throw e;
      }
      CHECKED.put(module.module(), Boolean.TRUE);
    }
    return new WasmBody(module, wasi, spec.dirs().size(), limits);
  }

  @Override
  public void run(Proc self) throws FsException {
    var guest = new GuestWasi(self, wasi, self.node().treeFor(self), hostDirs);
    try (wasi) {
      var imports = ImportValues.builder();
      for (HostFunction f : guest.functions()) {
        imports.addFunction(f);
      }
      if (importsYield(module.module())) {
        imports.addFunction(
            new HostFunction(
                YIELD_MODULE,
                YIELD_NAME,
                YIELD_TYPE,
                (instance, args) -> new long[] {self.endSlice()}));
      }
      var builder =
          Instance.builder(module.module())
              .withImportValues(imports.build())
              .withMemoryFactory(ignored -> new ByteArrayMemory(memoryLimits))
              .withStart(false);
      if (module.machines() != null) {
        builder.withMachineFactory(module.machines());
      }
      Instance instance = builder.build();
      if (instance.memory() != null) {
        var memory = instance.memory();
        self.memory(() -> (long) memory.pages() * PAGE);
      }
      instance.export("_start").apply();
    } finally {
      guest.closeAll();
    }
  }

  static boolean importsYield(WasmModule module) {
    var imports = module.importSection();
    for (int i = 0; i < imports.importCount(); i++) {
      Import imp = imports.getImport(i);
      if (imp.module().equals(YIELD_MODULE) && imp.name().equals(YIELD_NAME)) {
        return true;
      }
    }
    return false;
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
  private static void checkImports(WasmModule module, HostFunction[] host) throws ModuleException {
    Map<String, FunctionType> available = new HashMap<>();
    for (HostFunction f : host) {
      available.put(f.module() + "." + f.name(), f.functionType());
    }
    available.put(YIELD_MODULE + "." + YIELD_NAME, YIELD_TYPE);
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
