package dev.lunar.runtime;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UnlinkableException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.Import;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one WASI command module to its end on a virtual thread: instantiates it with WASI over the
 * given streams and directories, calls {@code _start}, and turns however it ended into an {@link
 * ExitReason}.
 */
public final class Guest {
  private Guest() {}

  /**
   * Runs {@code module} and waits for it to end.
   *
   * @throws ModuleException if the module cannot start: an unknown import, a missing directory
   */
  public static ExitReason run(LoadedModule module, GuestSpec spec) throws ModuleException {
    for (var dir : spec.dirs().entrySet()) {
      if (!Files.isDirectory(dir.getValue())) {
        throw new ModuleException("--dir " + dir.getValue() + ": no such directory");
      }
    }
    try (WasiPreview1 wasi = wasi(module.name(), spec)) {
      HostFunction[] host = wasi.toHostFunctions();
      checkImports(module.module(), host);
      var outcome = new Outcome();
      Thread thread = Threads.startProcess(() -> outcome.run(module, host));
      join(thread);
      if (outcome.unlinkable != null) {
        throw outcome.unlinkable;
      }
      return outcome.reason;
    }
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
    spec.dirs().forEach((guest, host) -> options.withDirectory(guest, host));
    return WasiPreview1.builder().withLogger(WasiLogger.QUIET).withOptions(options.build()).build();
  }

  /** Names the first import we cannot satisfy, instead of Chicory's import number. */
  private static void checkImports(WasmModule module, HostFunction[] host) throws ModuleException {
    Map<String, HostFunction> byName = new HashMap<>();
    for (HostFunction f : host) {
      byName.put(f.module() + "." + f.name(), f);
    }
    var imports = module.importSection();
    for (int i = 0; i < imports.importCount(); i++) {
      Import imp = imports.getImport(i);
      String name = imp.module() + "." + imp.name();
      HostFunction f = byName.get(name);
      if (imp.importType() != ExternalType.FUNCTION || f == null) {
        throw new ModuleException("unknown import " + name);
      }
      var wanted = module.typeSection().getType(((FunctionImport) imp).typeIndex());
      if (!wanted.equals(f.functionType())) {
        throw new ModuleException("import " + name + " has the wrong type");
      }
    }
  }

  private static void join(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs on the guest's own thread; its fields are read after the thread is joined. */
  private static final class Outcome {
    ExitReason reason;
    ModuleException unlinkable;

    void run(LoadedModule module, HostFunction[] host) {
      try {
        var builder =
            Instance.builder(module.module())
                .withImportValues(ImportValues.builder().addFunction(host).build())
                .withStart(false);
        if (module.machines() != null) {
          builder.withMachineFactory(module.machines());
        }
        Instance instance = builder.build();
        instance.export("_start").apply();
        reason = ExitReason.NORMAL;
      } catch (WasiExitException e) {
        reason = ExitReason.exit(e.exitCode());
      } catch (UnlinkableException e) {
        unlinkable = new ModuleException(ModuleLoader.oneLine(e), e);
      } catch (StackOverflowError e) {
        reason = ExitReason.STACK_OVERFLOW;
      } catch (ChicoryException | ArithmeticException | IndexOutOfBoundsException e) {
        // Chicory reports a JVM stack overflow as "call stack exhausted".
        reason =
            e.getCause() instanceof StackOverflowError
                ? ExitReason.STACK_OVERFLOW
                : ExitReason.trap(ModuleLoader.oneLine(e));
      }
    }
  }
}
