package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;

/**
 * Rewrites a wasm module so that it counts reductions: a <em>tick</em> at the start of every
 * function, and a count of every loop iteration, except in loops whose every iteration surely calls
 * a function of the module first (the callee's own tick counts the iteration).
 *
 * <p>The tick is {@code memory.grow} of memory 0 by 2^32-1 pages ({@code i32.const -1}, {@code
 * memory.grow}, {@code drop}). Such a grow always fails and returns -1, so the guest sees nothing
 * new, and the host's memory ({@code SparseMemory}) takes it as one reduction: it decrements a
 * budget kept in the memory object and, when the budget runs out, ends the process's slice. A
 * memory is the one thing of its own that Chicory's compiled code holds in hand: it is passed to
 * every compiled function, where a global is fetched through the instance at every access, so the
 * tick costs a field decrement and a test (docs/DECISIONS.md). Loop iterations are cheaper still:
 * they are counted in a local the rewrite adds, and ticked off in batches (a grow by 2^32-N pages
 * counts N) and when the function returns. A module without a memory gets an empty one, {@code
 * (memory 0 0)}, for its ticks to name.
 *
 * <p>Nothing else changes: no index moves, no function, import, global or type is added, and every
 * section but the code section (and the memory section a module without memory gains) is kept byte
 * for byte. The count is exact: slices add up to exactly the function entries and loop iterations
 * run; a slice that a batch overran is made up for by a shorter next one.
 */
public final class ReductionRewriter {
  private ReductionRewriter() {}

  /**
   * Returns the rewritten module.
   *
   * @throws RewriteException if Chicory rejects the module, its memory 0 is shared (a process is
   *     one thread; its memory counts its reductions), or its binary cannot be walked
   */
  public static byte[] rewrite(byte[] wasm) throws RewriteException {
    WasmModule module;
    try {
      module = Parser.parse(wasm);
    } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new RewriteException("invalid module: " + oneLine(e.getMessage()), e);
    }
    return rewrite(wasm, module);
  }

  /**
   * As {@link #rewrite(byte[])}, for a caller that has parsed the module already, which saves
   * parsing it again: {@code module} must be what {@code Parser.parse(wasm)} returned, since the
   * rewrite finds instructions by the offsets into {@code wasm} that the parse recorded.
   */
  public static byte[] rewrite(byte[] wasm, WasmModule module) throws RewriteException {
    MemoryLimits memory = memoryZero(module);
    if (memory != null && memory.shared()) {
      throw new RewriteException("shared memories are not supported: a process has one thread");
    }
    if (memory == null && usesMemory(module)) {
      // The memory the rewrite adds would make this invalid module valid.
      throw new RewriteException("invalid module: unknown memory 0");
    }
    int funcImports = module.importSection().count(ExternalType.FUNCTION);
    return new SectionWalker(wasm, module, funcImports, memory != null).rewrite();
  }

  /** The limits of memory 0, imported or defined, or null if the module has no memory. */
  private static MemoryLimits memoryZero(WasmModule module) {
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (imp instanceof MemoryImport m) {
        return m.limits();
      }
    }
    var section = module.memorySection();
    if (section.isPresent() && section.get().memoryCount() > 0) {
      return section.get().getMemory(0).limits();
    }
    return null;
  }

  /** Whether anything names memory 0: an export, an active data segment or an instruction. */
  private static boolean usesMemory(WasmModule module) {
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      if (module.exportSection().getExport(i).exportType() == ExternalType.MEMORY) {
        return true;
      }
    }
    for (DataSegment segment : module.dataSection().dataSegments()) {
      if (segment instanceof ActiveDataSegment) {
        return true;
      }
    }
    for (int f = 0; f < module.codeSection().functionBodyCount(); f++) {
      for (var ins : module.codeSection().getFunctionBody(f).instructions()) {
        String op = ins.opcode().name();
        if (op.startsWith("MEMORY_")
            || op.contains("LOAD")
            || op.contains("STORE")
            || (op.contains("ATOMIC") && ins.opcode() != OpCode.ATOMIC_FENCE)) {
          return true;
        }
      }
    }
    return false;
  }

  static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    return message.replaceAll("\\s+", " ").trim();
  }
}
