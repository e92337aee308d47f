package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.types.FunctionType;
import java.util.List;

/**
 * The indices a rewrite needs, all computed up front from the parsed module.
 *
 * <p>Function index space of the rewritten module, in order: the original imports, the yield
 * import, one entry per original defined function at its old index plus one (the <em>entry</em>,
 * which keeps the original type and is what exports, tables, {@code ref.func} and the start section
 * name), one <em>body</em> per defined function (the original code, taking the budget as one more
 * parameter, which every direct call targets), and the sync function.
 *
 * @param funcImports the number of imported functions; function indices at or above it shift
 * @param yieldType the type index of {@code [] -> [i32]}
 * @param appendedTypes the function types appended to the type section, in order
 * @param budgetGlobal the index of the budget global appended at the end of the globals, which is
 *     also the number of original globals
 * @param functions the number of original functions, imported and defined
 * @param definedTypes the original type index of each defined function
 * @param bodyTypes the type index of each defined function's body
 * @param params the number of parameters of each defined function (the budget's local index)
 * @param syncType the type index of the sync function, {@code [i32] -> [i32]}
 * @param tailCalls whether the module uses tail calls, so that entries may too (an engine with
 *     proper tail calls then runs endless tail recursion through a table in constant stack)
 */
record Plan(
    int funcImports,
    int yieldType,
    List<FunctionType> appendedTypes,
    int budgetGlobal,
    int functions,
    int[] definedTypes,
    int[] bodyTypes,
    int[] params,
    int syncType,
    boolean tailCalls) {

  /** The number of functions the module defines. */
  int defined() {
    return functions - funcImports;
  }

  /** The yield import takes the first index after the original function imports. */
  int yieldFunc() {
    return funcImports;
  }

  /**
   * Maps an original function index to its index in the rewritten module: imports keep theirs, a
   * defined function's index now names its entry.
   */
  long shift(long funcIndex) {
    return funcIndex >= funcImports ? funcIndex + 1 : funcIndex;
  }

  /** The index of the body of the defined function with this original index. */
  long body(long funcIndex) {
    return funcIndex + 1 + defined();
  }

  /** The index of the sync function, after every entry and body. */
  int syncFunc() {
    return funcImports + 1 + 2 * defined();
  }

  /** Whether this original function index names a function defined in the module. */
  boolean isDefined(long funcIndex) {
    return funcIndex >= funcImports && funcIndex < functions;
  }
}
