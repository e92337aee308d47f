package dev.lunar.runtime.rewrite;

/**
 * The indices a rewrite needs, all computed up front from the parsed module.
 *
 * @param funcImports the number of imported functions; function indices at or above it shift
 * @param yieldType the type index of {@code [] -> [i32]}
 * @param appendType whether that type must be appended to the type section
 * @param budgetGlobal the index of the budget global appended at the end of the globals, which is
 *     also the number of original globals
 * @param functions the number of original functions, imported and defined
 */
record Plan(int funcImports, int yieldType, boolean appendType, int budgetGlobal, int functions) {

  /** The yield import takes the first index after the original function imports. */
  int yieldFunc() {
    return funcImports;
  }

  /** Maps an original function index to its index in the rewritten module. */
  long shift(long funcIndex) {
    return funcIndex >= funcImports ? funcIndex + 1 : funcIndex;
  }
}
