package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.Store;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import com.dylibso.chicory.wasm.types.ValType;
import com.dylibso.chicory.wasm.types.Value;
import dev.lunar.runtime.proc.SparseMemory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One world of a spec-suite run: a store with the spectest host module, the modules instantiated so
 * far and the named ones. The suite runs two worlds side by side, one on original modules and one
 * on rewritten modules, whose memories count their ticks.
 */
final class SpecWorld {
  /** The slice each memory's counter hands out: small, so that spec tests actually end slices. */
  static final int BUDGET = 1000;

  private final boolean rewritten;
  private final boolean compiled;
  private final Store store = new Store();
  private final Map<String, Instance> named = new HashMap<>();
  private Instance current;
  long yields;

  SpecWorld(boolean rewritten, boolean compiled) {
    this.rewritten = rewritten;
    this.compiled = compiled;
    addSpectest();
  }

  /** A memory as Lunar makes them; in a rewritten world it counts the ticks, from the start. */
  private Memory memory(MemoryLimits limits) {
    Memory memory = SparseMemory.of(limits);
    if (rewritten && memory instanceof SparseMemory counter) {
      counter.countReductions(() -> {
        yields++;
        return BUDGET;
      });
    }
    return memory;
  }

  private void addSpectest() {
    store.addFunction(print("print"));
    store.addFunction(print("print_i32", ValType.I32));
    store.addFunction(print("print_i64", ValType.I64));
    store.addFunction(print("print_f32", ValType.F32));
    store.addFunction(print("print_f64", ValType.F64));
    store.addFunction(print("print_i32_f32", ValType.I32, ValType.F32));
    store.addFunction(print("print_f64_f64", ValType.F64, ValType.F64));
    store.addGlobal(global("global_i32", Value.i32(666)));
    store.addGlobal(global("global_i64", Value.i64(666)));
    store.addGlobal(global("global_f32", Value.fromFloat(666.6f)));
    store.addGlobal(global("global_f64", Value.fromDouble(666.6)));
    Table table = new Table(ValType.FuncRef, new TableLimits(10, 20));
    store.addTable(
        new ImportTable("spectest", "table", new TableInstance(table, Value.REF_NULL_VALUE)));
    store.addMemory(new ImportMemory("spectest", "memory", memory(new MemoryLimits(1, 2))));
  }

  private static HostFunction print(String name, ValType... params) {
    return new HostFunction(
        "spectest", name, FunctionType.of(List.of(params), List.of()), (inst, args) -> null);
  }

  private static ImportGlobal global(String name, Value value) {
    return new ImportGlobal("spectest", name, new GlobalInstance(value));
  }

  /** Instantiates a module (already rewritten when this world is); it becomes current. */
  void instantiate(byte[] wasm, String name) {
    current = null; // a failed instantiation leaves no current module to act on
    WasmModule module = Parser.parse(wasm);
    Instance.Builder builder =
        Instance.builder(module)
            .withImportValues(store.toImportValues())
            .withMemoryFactory(this::memory);
    if (compiled) {
      builder.withMachineFactory(MachineFactoryCompiler.compile(module));
    }
    current = builder.build();
    if (name != null) {
      named.put(name, current);
    }
  }

  /** Instantiates a module that is expected to fail to link or to start; it is not kept. */
  void instantiateDetached(byte[] wasm) {
    WasmModule module = Parser.parse(wasm);
    Instance.Builder builder =
        Instance.builder(module)
            .withImportValues(store.toImportValues())
            .withMemoryFactory(this::memory);
    if (compiled) {
      builder.withMachineFactory(MachineFactoryCompiler.compile(module));
    }
    builder.build();
  }

  void register(String as, String name) {
    store.register(as, instance(name));
  }

  Instance instance(String name) {
    Instance instance = name == null ? current : named.get(name);
    if (instance == null) {
      throw new IllegalStateException("no module " + (name == null ? "instantiated" : name));
    }
    return instance;
  }

  boolean isRewritten() {
    return rewritten;
  }
}
