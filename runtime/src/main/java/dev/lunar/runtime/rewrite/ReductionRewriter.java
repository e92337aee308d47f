package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.RecType;
import com.dylibso.chicory.wasm.types.SubType;
import com.dylibso.chicory.wasm.types.TypeSection;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;

/**
 * Rewrites a wasm module so that it counts reductions and calls the host when its budget runs out.
 *
 * <p>The rewritten module imports {@code lunar.yield : [] -> [i32]} after its own imports, owns one
 * more mutable i32 global (the budget, initially 1 so the first check yields and the host hands out
 * the first slice) at the end of its globals, and two more i32 locals per function. It takes one
 * reduction off the budget at every function entry, and counts loop iterations in a local that it
 * takes off the budget sixteen at a time (a global is costly to reach in compiled code, a local is
 * a register). When the budget is used up it calls {@code lunar.yield} and stores the result as the
 * new budget. Every function index at or above the number of imported functions moves up by one;
 * everything else in the binary is kept byte for byte.
 */
public final class ReductionRewriter {
  /** The module name of the yield import. */
  public static final String YIELD_MODULE = "lunar";

  /** The field name of the yield import. */
  public static final String YIELD_NAME = "yield";

  private static final FunctionType YIELD_TYPE = FunctionType.of(List.of(), List.of(ValType.I32));

  private ReductionRewriter() {}

  /**
   * Returns the rewritten module.
   *
   * @throws RewriteException if Chicory rejects the module, or it already imports {@code
   *     lunar.yield}, or its binary cannot be walked
   */
  public static byte[] rewrite(byte[] wasm) throws RewriteException {
    WasmModule module;
    try {
      module = Parser.parse(wasm);
    } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new RewriteException("invalid module: " + oneLine(e.getMessage()), e);
    }
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (YIELD_MODULE.equals(imp.module()) && YIELD_NAME.equals(imp.name())) {
        throw new RewriteException("module already imports lunar.yield");
      }
    }
    return new SectionWalker(wasm, module, plan(module)).rewrite();
  }

  private static Plan plan(WasmModule module) {
    int funcImports = module.importSection().count(ExternalType.FUNCTION);
    int globals =
        module.importSection().count(ExternalType.GLOBAL) + module.globalSection().globalCount();
    int functions = funcImports + module.functionSection().functionCount();
    TypeSection types = module.typeSection();
    // Only a plain, final, supertype-free function type is interchangeable with the one we add;
    // reusing a type from an explicit rec group could change its identity under GC rules.
    int flat = 0;
    for (int g = 0; g < types.typeCount(); g++) {
      RecType rec = types.getRecType(g);
      if (rec.isLegacy()) {
        SubType sub = rec.subTypes()[0];
        if (sub.isFinal() && sub.typeIdx().length == 0 && YIELD_TYPE.equals(rec.legacy())) {
          return new Plan(funcImports, flat, false, globals, functions);
        }
      }
      flat += rec.subTypes().length;
    }
    return new Plan(funcImports, types.subTypeCount(), true, globals, functions);
  }

  static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    return message.replaceAll("\\s+", " ").trim();
  }
}
