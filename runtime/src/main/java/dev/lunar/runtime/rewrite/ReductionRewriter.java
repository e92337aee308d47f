package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.RecType;
import com.dylibso.chicory.wasm.types.SubType;
import com.dylibso.chicory.wasm.types.TypeSection;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a wasm module so that it counts reductions and calls the host when its budget runs out.
 *
 * <p>The rewritten module imports {@code lunar.yield : [] -> [i32]} after its own imports and owns
 * one more mutable i32 global, the budget (initially 1, so the first look at it yields and the host
 * hands out the first slice). A global is costly to reach in Chicory's compiled code (a chain of
 * dependent loads through the instance), so functions carry the budget in a local instead, handed
 * from caller to callee as one more parameter, and touch the global only when that local runs out:
 *
 * <ul>
 *   <li>Each defined function becomes two. Its <em>body</em> (the original code, taking the budget
 *       as its last parameter) is what direct calls reach. Its <em>entry</em>, under the original
 *       index and type, is what exports, tables, {@code ref.func} and the start section reach: it
 *       charges one reduction to the global and calls the body with a fresh allowance of {@link
 *       CodeRewriter#BATCH}.
 *   <li>A direct call spends one reduction from the caller's budget and passes what is left; a loop
 *       header spends one, unless every iteration surely makes such a call first. Spending the last
 *       one calls the sync function, which takes {@code BATCH} off the global, calls {@code
 *       lunar.yield} once the global is used up, and starts the local over at {@code BATCH}.
 * </ul>
 *
 * <p>Why this bounds the work between two looks at the global: every frame's budget starts below
 * its caller's and drops at each of its own calls and loop iterations, so a frame handed {@code b}
 * makes at most {@code b - 1} calls and iterations of its own before it syncs, and its callees are
 * handed less: at most 2^(b-1) in all (2^15 with {@code BATCH} 16), each with straight-line work in
 * between. Indirect calls always go through an entry, so cycles through tables look at the global
 * every time. The count is exact for loops and approximate for calls: what a callee spends without
 * running out is never charged, and a sync charges a whole batch in advance, some of which a
 * returning frame may leave unspent (fib(35), 14.9 million calls, is charged 27.1 million).
 *
 * <p>Every original function index at or above the number of imported functions moves up by one and
 * keeps naming the same function's entry; everything else outside the code, function, type, import,
 * global and name sections is kept byte for byte.
 */
public final class ReductionRewriter {
  /** The module name of the yield import. */
  public static final String YIELD_MODULE = "lunar";

  /** The field name of the yield import. */
  public static final String YIELD_NAME = "yield";

  private static final FunctionType YIELD_TYPE = FunctionType.of(List.of(), List.of(ValType.I32));

  /** The sync function takes the reductions to charge and returns the next allowance. */
  private static final FunctionType SYNC_TYPE =
      FunctionType.of(List.of(ValType.I32), List.of(ValType.I32));

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
    int defined = module.functionSection().functionCount();
    TypeSection types = module.typeSection();
    List<FunctionType> appended = new ArrayList<>();
    int yieldType = typeIndex(types, appended, YIELD_TYPE);
    int syncType = typeIndex(types, appended, SYNC_TYPE);
    int[] definedTypes = new int[defined];
    int[] bodyTypes = new int[defined];
    int[] params = new int[defined];
    for (int i = 0; i < defined; i++) {
      definedTypes[i] = module.functionSection().getFunctionType(i);
      FunctionType type = types.getType(definedTypes[i]);
      params[i] = type.params().size();
      List<ValType> withBudget = new ArrayList<>(type.params());
      withBudget.add(ValType.I32);
      bodyTypes[i] = typeIndex(types, appended, FunctionType.of(withBudget, type.returns()));
    }
    return new Plan(
        funcImports,
        yieldType,
        List.copyOf(appended),
        globals,
        funcImports + defined,
        definedTypes,
        bodyTypes,
        params,
        syncType,
        usesTailCalls(module));
  }

  private static boolean usesTailCalls(WasmModule module) {
    for (int i = 0; i < module.codeSection().functionBodyCount(); i++) {
      for (var ins : module.codeSection().getFunctionBody(i).instructions()) {
        OpCode op = ins.opcode();
        if (op == OpCode.RETURN_CALL
            || op == OpCode.RETURN_CALL_INDIRECT
            || op == OpCode.RETURN_CALL_REF) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The index of a function type equal to {@code wanted}: an existing one if it is a plain, final,
   * supertype-free type (only such a type is interchangeable with one we add; reusing a type from
   * an explicit rec group could change its identity under GC rules), else one appended for it.
   */
  private static int typeIndex(
      TypeSection types, List<FunctionType> appended, FunctionType wanted) {
    if (!Sections.isPlain(wanted)) {
      // Types naming other types compare structurally in Chicory; append, never guess.
      appended.add(wanted);
      return types.subTypeCount() + appended.size() - 1;
    }
    int flat = 0;
    for (int g = 0; g < types.typeCount(); g++) {
      RecType rec = types.getRecType(g);
      if (rec.isLegacy()) {
        SubType sub = rec.subTypes()[0];
        if (sub.isFinal() && sub.typeIdx().length == 0 && wanted.equals(rec.legacy())) {
          return flat;
        }
      }
      flat += rec.subTypes().length;
    }
    int known = appended.indexOf(wanted);
    if (known < 0) {
      known = appended.size();
      appended.add(wanted);
    }
    return types.subTypeCount() + known;
  }

  static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    return message.replaceAll("\\s+", " ").trim();
  }
}
