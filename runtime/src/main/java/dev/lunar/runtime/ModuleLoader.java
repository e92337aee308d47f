package dev.lunar.runtime;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.lunar.runtime.proc.ExitReasons;
import dev.lunar.runtime.rewrite.ReductionRewriter;
import dev.lunar.runtime.rewrite.RewriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Parses, validates and compiles WASI command modules, each distinct module once.
 *
 * <p>Compiled modules are kept in memory by content hash, and their JVM bytecode on disk (when a
 * cache directory is given), so a module seen before skips both parsing and compilation.
 * Thread-safe: two threads loading the same new module at once may both compile it, and one result
 * wins.
 */
public final class ModuleLoader {
  private static final byte[] MAGIC = {0, 'a', 's', 'm'};

  private final Map<String, LoadedModule> loaded = new ConcurrentHashMap<>();
  private final Cache disk;
  private final boolean interpret;
  private final boolean preempt;

  /**
   * @param cacheDir where compiled bytecode is kept across runs, or {@code null} for none
   * @param interpret run modules in Chicory's interpreter instead of compiling them
   */
  public ModuleLoader(Path cacheDir, boolean interpret) {
    this(cacheDir == null ? null : new DiskCache(cacheDir), interpret, true);
  }

  /** A loader that keeps compiled modules in memory only. */
  public static ModuleLoader inMemory(boolean interpret) {
    return new ModuleLoader((Cache) null, interpret, true);
  }

  /**
   * A loader that does not add reduction counting: such modules cannot be preempted. Only for
   * measuring what the counting costs.
   */
  public static ModuleLoader withoutPreemption(boolean interpret) {
    return new ModuleLoader((Cache) null, interpret, false);
  }

  ModuleLoader(Cache disk, boolean interpret, boolean preempt) {
    this.disk = disk;
    this.interpret = interpret;
    this.preempt = preempt;
  }

  /** Loads the module in {@code file}; the file name is used in messages. */
  public LoadedModule load(Path file) throws ModuleException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ModuleException("no such file");
    } catch (IOException e) {
      throw new ModuleException("cannot read: " + e.getMessage(), e);
    }
    return load(file.toString(), bytes);
  }

  /** Loads a module from its bytes; {@code name} is used in messages only. */
  public LoadedModule load(String name, byte[] bytes) throws ModuleException {
    String key = sha256(bytes);
    LoadedModule known = loaded.get(key);
    if (known != null) {
      return known.name().equals(name)
          ? known
          : new LoadedModule(name, known.module(), known.machines());
    }
    checkHeader(bytes);
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (RuntimeException e) {
      throw new ModuleException("invalid module: " + ExitReasons.oneLine(e), e);
    }
    requireStart(module);
    if (preempt) {
      module = preempted(bytes, module);
    }
    LoadedModule result;
    try {
      result = new LoadedModule(name, module, interpret ? null : compile(module));
    } catch (RuntimeException e) {
      throw new ModuleException("cannot compile: " + ExitReasons.oneLine(e), e);
    }
    loaded.putIfAbsent(key, result);
    return result;
  }

  private Function<Instance, Machine> compile(WasmModule module) {
    var compiler = MachineFactoryCompiler.builder(module);
    if (disk != null) {
      compiler.withCache(disk);
    }
    return compiler.compile();
  }

  /** The module rewritten to count reductions and yield (see {@link ReductionRewriter}). */
  private static WasmModule preempted(byte[] bytes, WasmModule parsed) throws ModuleException {
    try {
      return Parser.parse(ReductionRewriter.rewrite(bytes, parsed));
    } catch (RewriteException e) {
      throw new ModuleException("cannot add reduction counting: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new ModuleException(
          "reduction counting broke the module: " + ExitReasons.oneLine(e), e);
    }
  }

  private static void checkHeader(byte[] bytes) throws ModuleException {
    if (bytes.length < 4 || !Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
      throw new ModuleException("not a WebAssembly module (no \\0asm magic number)");
    }
    if (bytes.length < 8) {
      throw new ModuleException("invalid module: truncated header");
    }
    if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
      throw new ModuleException(
          "not a core WebAssembly 1.0 module (a component or unknown binary version)");
    }
  }

  /** A WASI command exports {@code _start: [] -> []}; Lunar runs nothing else. */
  private static void requireStart(WasmModule module) throws ModuleException {
    var exports = module.exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      Export export = exports.getExport(i);
      if (!export.name().equals("_start")) {
        continue;
      }
      if (export.exportType() != ExternalType.FUNCTION) {
        throw new ModuleException("_start is exported but is not a function");
      }
      FunctionType type = Modules.functionType(module, export.index());
      if (!type.params().isEmpty() || !type.returns().isEmpty()) {
        throw new ModuleException("_start must take and return nothing");
      }
      return;
    }
    throw new ModuleException("no _start export: not a WASI command module");
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
