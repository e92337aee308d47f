package dev.lunar.runtime.proc;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import dev.lunar.fs.ByteBudget;
import dev.lunar.runtime.LoadedModule;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MpmcArrayQueue;

/**
 * The instances of a node's modules, and spares kept for reuse. Building a Chicory instance and
 * allocating its memory is most of what a spawn costs, so an instance whose process ended cleanly
 * is kept and the next spawn of the same module resets it instead: memory zeroed and reloaded from
 * the data segments, globals and tables set afresh, the start function run again — what building a
 * new one does, minus the allocation. Processes still share nothing: a spare serves one process at
 * a time and carries nothing of the last one across the reset.
 *
 * <p>Only modules that cannot change what a reset leaves alone are reused: none that grow or write
 * tables, drop segments, throw wasm exceptions or allocate GC objects (see {@link #resettable}),
 * and only instances whose memory is still its initial size, since Chicory cannot shrink a memory.
 * The spares of all modules together hold at most {@link #budget} bytes of memory.
 */
final class Instances {
  /** Instructions that change state {@link Instance#initialize} does not restore. */
  private static final Set<OpCode> NOT_RESET =
      EnumSet.of(
          OpCode.TABLE_SET,
          OpCode.TABLE_GROW,
          OpCode.TABLE_FILL,
          OpCode.TABLE_COPY,
          OpCode.TABLE_INIT,
          OpCode.ELEM_DROP,
          OpCode.DATA_DROP,
          OpCode.THROW,
          OpCode.THROW_REF,
          OpCode.TRY_TABLE);

  private static final int PAGE = 65536;
  private static final int SPARES_PER_KIND = 256;

  private final ImportValues imports;
  private final ByteBudget resident;
  private final long budget;
  private final AtomicLong spareBytes = new AtomicLong();
  private final LongAdder reuses = new LongAdder();
  private final Map<Kind, MpmcArrayQueue<Instance>> spares = new ConcurrentHashMap<>();

  /**
   * The modules this node has spawned, each with {@link #resettable} of it, worked out once. Keyed
   * by identity (a module's own hashCode reads every instruction), and held only as long as the
   * node, as the node's module loader holds them too.
   */
  private final Map<Identity, Boolean> modules = new ConcurrentHashMap<>();

  /**
   * @param imports the host functions every instance gets
   * @param resident the node's budget for guests' memory, which every instance's memory counts in
   * @param budget most bytes of memory the spares may hold together; 0 turns reuse off
   */
  Instances(ImportValues imports, ByteBudget resident, long budget) {
    this.imports = imports;
    this.resident = resident;
    this.budget = budget;
  }

  /** Whether this node has spawned {@code module} before (and so checked its imports). */
  boolean knows(LoadedModule module) {
    return modules.containsKey(new Identity(module.module()));
  }

  /** The kind of a spawn of {@code module} with {@code limits}. */
  Kind kind(LoadedModule module, MemoryLimits limits) {
    boolean reset =
        modules.computeIfAbsent(new Identity(module.module()), m -> resettable(m.module));
    return new Kind(module, limits, reset);
  }

  /**
   * An instance of {@code module} in its initial state, with {@code _start} not yet run: a reset
   * spare or a new one. Runs wasm code (the start function), so call it where the guest's host
   * functions are bound. Give the instance back with {@link #give} or {@link #drop}.
   */
  Instance take(Kind kind) {
    var queue = spares.get(kind);
    Instance spare = queue == null ? null : queue.poll();
    if (spare != null) {
      spareBytes.addAndGet(-bytes(spare));
      reuses.increment();
      try {
        return spare.initialize(false);
      } catch (RuntimeException | Error e) {
        drop(spare.memory());
        throw e;
      }
    }
    Memory[] memory = new Memory[1]; // to give its blocks back if the instance never gets made
    var builder =
        Instance.builder(kind.module.module())
            .withImportValues(imports)
            .withMemoryFactory(ignored -> memory[0] = WasmBody.memory(kind.limits, resident))
            .withStart(false);
    if (kind.module.machines() != null) {
      builder.withMachineFactory(kind.module.machines());
    }
    try {
      return builder.build();
    } catch (RuntimeException | Error e) {
      drop(memory[0]);
      throw e;
    }
  }

  /**
   * Takes back the instance of a process that ended cleanly; keeps it if it can be reset, and drops
   * it if not.
   */
  void give(Kind kind, Instance instance) {
    drop(instance.memory()); // its blocks go back now, whether it is kept or not
    if (budget <= 0
        || !kind.resettable
        || (instance.memory() != null && instance.memory().pages() != kind.limits.initialPages())) {
      return;
    }
    long bytes = bytes(instance);
    if (spareBytes.addAndGet(bytes) > budget) {
      spareBytes.addAndGet(-bytes);
      return;
    }
    var queue = spares.computeIfAbsent(kind, k -> new MpmcArrayQueue<>(SPARES_PER_KIND));
    if (!queue.offer(instance)) {
      spareBytes.addAndGet(-bytes);
    }
  }

  /**
   * Gives the blocks of an ended guest's memory back to the node, leaving the memory all zeros, as
   * a spare's must be. A memory that is not sparse (a shared one) is left as it is: a spare's is
   * zeroed by its reset.
   */
  void drop(Memory memory) {
    if (memory instanceof SparseMemory sparse) {
      sparse.zero();
    }
  }

  /** Spawns that reset a spare instead of building an instance. */
  long reuses() {
    return reuses.sum();
  }

  /** Whether {@link Instance#initialize} brings every instance of the module back to its start. */
  static boolean resettable(WasmModule module) {
    if (module.tagSection().isPresent()) {
      return false;
    }
    var code = module.codeSection();
    for (int f = 0; f < code.functionBodyCount(); f++) {
      for (var instruction : code.getFunctionBody(f).instructions()) {
        OpCode op = instruction.opcode();
        String name = op.name();
        if (NOT_RESET.contains(op)
            || name.startsWith("STRUCT_")
            || name.startsWith("ARRAY_")
            || op == OpCode.REF_I31) {
          return false;
        }
      }
    }
    return true;
  }

  private static long bytes(Instance instance) {
    return instance.memory() == null ? 0 : (long) instance.memory().pages() * PAGE;
  }

  /** A module as a map key by identity. */
  private record Identity(WasmModule module) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity i && i.module == module;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(module);
    }
  }

  /**
   * One module, compiled one way, with one memory limit: the spares of one kind are alike. Made
   * once per spawn by {@link #kind}.
   */
  record Kind(LoadedModule module, MemoryLimits limits, boolean resettable) {
    @Override
    public boolean equals(Object o) {
      // By identity: a WasmModule's own equals and hashCode read every instruction.
      return o instanceof Kind k
          && k.module.module() == module.module()
          && k.module.machines() == module.machines()
          && k.limits.equals(limits);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(module.module()) * 31 + limits.hashCode();
    }
  }
}
