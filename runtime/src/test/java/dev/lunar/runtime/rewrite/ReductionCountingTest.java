package dev.lunar.runtime.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.proc.SparseMemory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the rewritten modules do when they run, interpreted and compiled: when their slices end, and
 * that slices add up to exactly the function entries and loop iterations run however the guest
 * loops or recurses. Each guest counts its own steps (function entries and loop iterations) in an
 * exported global, {@code steps}, which the end of each slice reads, so a test sees how much ran
 * between two.
 */
class ReductionCountingTest {
  /** One step: added where a guest enters a function or starts a loop iteration. */
  private static final String STEP =
      "(global.set $steps (i64.add (global.get $steps) (i64.const 1)))";

  private static final String STEPS = "(global $steps (export \"steps\") (mut i64) (i64.const 0))";

  /** Ends slices for a guest's memory: hands out a fixed budget and records the gaps. */
  private static final class Yields {
    final int budget;
    final int limit;
    int count;
    long lastSteps;
    long maxGap;

    Yields(int budget, int limit) {
      this.budget = budget;
      this.limit = limit;
    }

    void countFor(Instance instance) {
      ((SparseMemory) instance.memory())
          .countReductions(() -> {
            long steps = instance.exports().global("steps").getValue();
            maxGap = Math.max(maxGap, steps - lastSteps);
            lastSteps = steps;
            if (++count > limit) {
              throw new IllegalStateException("stop");
            }
            return budget;
          });
    }
  }

  private static Instance load(String wat, boolean compiled, Yields yields, HostFunction... more)
      throws RewriteException {
    byte[] rewritten = ReductionRewriter.rewrite(TestModules.wat(wat, "--enable-tail-call"));
    assertNull(Wabt.validate(rewritten, "--enable-tail-call"));
    Instance instance = ReductionRewriterTest.instantiate(rewritten, compiled, more);
    yields.countFor(instance);
    return instance;
  }

  private static long call(Instance instance, String name, long... args) {
    return instance.export(name).apply(args)[0];
  }

  /** Runs an endless export and checks that it was stopped by the yield import. */
  private static void runsUntilStopped(Instance instance, String name) {
    RuntimeException e = assertThrows(RuntimeException.class, () -> instance.export(name).apply());
    for (Throwable t = e; t != null; t = t.getCause()) {
      if ("stop".equals(t.getMessage())) {
        return;
      }
    }
    throw new AssertionError("unexpected " + e, e);
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void firstLookAtTheBudgetYields(boolean compiled) throws RewriteException {
    Yields yields = new Yields(2 * CodeRewriter.BATCH, 3);
    Instance instance =
        load(
            "(module " + STEPS + " (func (export \"spin\") (loop $l " + STEP + " (br $l))))",
            compiled,
            yields);
    assertEquals(0, yields.count);
    runsUntilStopped(instance, "spin");
    // The entry's tick ends a slice at once (the budget starts at 1), then every second batch of
    // loop passes: the fourth end throws.
    assertEquals(4, yields.count);
    assertEquals(2 * CodeRewriter.BATCH, yields.maxGap);
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void loopsAreCountedExactly(boolean compiled) throws RewriteException {
    Yields yields = new Yields(100, Integer.MAX_VALUE);
    Instance instance =
        load(
            "(module "
                + STEPS
                + """
                (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
                  (block $done
                    (loop $l
                      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
                      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
                      (local.set $i (i32.add (local.get $i) (i32.const 1)))
                      (br $l)))
                  (local.get $acc)))
                """,
            compiled,
            yields);
    assertEquals(499500, call(instance, "sum", 1000));
    // The entry's tick ends a slice at once; then 1001 loop passes (1000 iterations and the one
    // that leaves) end one every 100: nine by the 15 full batches of 64, and the tenth by the 41
    // passes ticked off when the function returns.
    assertEquals(CodeRewriter.BATCH, 64, "the figures above");
    assertEquals(1 + 1001 / 100, yields.count);
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void mutualRecursionCountsEveryCall(boolean compiled) throws RewriteException {
    Yields yields = new Yields(1, Integer.MAX_VALUE);
    Instance instance =
        load(
            "(module "
                + STEPS
                + "(func $even (export \"even\") (param i32) (result i32) "
                + STEP
                + """
                  (if (result i32) (i32.eqz (local.get 0))
                    (then (i32.const 1))
                    (else (call $odd (i32.sub (local.get 0) (i32.const 1))))))
                (func $odd (param i32) (result i32)
                """
                + STEP
                + """
                  (if (result i32) (i32.eqz (local.get 0))
                    (then (i32.const 0))
                    (else (call $even (i32.sub (local.get 0) (i32.const 1)))))))
                """,
            compiled,
            yields);
    assertEquals(1, call(instance, "even", 2000));
    // A budget of 1 ends a slice at every tick: the export's entry and 2000 calls.
    assertEquals(2001, yields.count);
    assertEquals(1, yields.maxGap);
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void recursionThroughATableCountsEveryCall(boolean compiled) throws RewriteException {
    Yields yields = new Yields(1, Integer.MAX_VALUE);
    Instance instance =
        load(
            "(module "
                + STEPS
                + """
                (type $t (func (param i32) (result i32)))
                (table funcref (elem $down))
                (func $down (export "down") (param i32) (result i32)
                """
                + STEP
                + """
                  (if (result i32) (i32.eqz (local.get 0))
                    (then (i32.const 7))
                    (else (call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1))
                                                   (i32.const 0))))))
                """,
            compiled,
            yields);
    assertEquals(7, call(instance, "down", 500));
    assertEquals(501, yields.count, "the export and 500 calls through the table");
    assertEquals(1, yields.maxGap);
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void endlessTailCallsThroughATableYield(boolean compiled) throws RewriteException {
    Yields yields = new Yields(3, 100);
    Instance instance =
        load(
            "(module "
                + STEPS
                + """
                (type $v (func))
                (table funcref (elem $ping $pong))
                (func $ping (export "forever")
                """
                + STEP
                + "(return_call_indirect (type $v) (i32.const 1)))"
                + "(func $pong "
                + STEP
                + "(return_call_indirect (type $v) (i32.const 0))))",
            compiled,
            yields);
    runsUntilStopped(instance, "forever");
    assertEquals(101, yields.count);
    assertEquals(3, yields.maxGap, "a slice of 3 is three calls through the table");
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void endlessDirectTailCallsYield(boolean compiled) throws RewriteException {
    Yields yields = new Yields(4, 100);
    Instance instance =
        load(
            "(module "
                + STEPS
                + "(func $ping (export \"forever\") "
                + STEP
                + "(return_call $pong))"
                + "(func $pong "
                + STEP
                + "(return_call $ping)))",
            compiled,
            yields);
    runsUntilStopped(instance, "forever");
    assertEquals(4, yields.maxGap);
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void tailCallsCountAsCalls(boolean compiled) throws RewriteException {
    Yields yields = new Yields(100, Integer.MAX_VALUE);
    Instance instance =
        load(
            "(module "
                + STEPS
                + """
                (func $ping (export "count") (param i32 i32) (result i32)
                  (if (result i32) (i32.eqz (local.get 0))
                    (then (local.get 1))
                    (else (return_call $pong (i32.sub (local.get 0) (i32.const 1))
                                             (i32.add (local.get 1) (i32.const 2))))))
                (func $pong (param i32 i32) (result i32)
                  (return_call $ping (local.get 0) (local.get 1))))
                """,
            compiled,
            yields);
    assertEquals(20000, call(instance, "count", 10000, 0));
    // The export's entry ends a slice, then every 100th of the 20000 tail calls.
    assertEquals(1 + 20000 / 100, yields.count);
  }

  /** An endless loop without calls in a function reached only through calls still yields. */
  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void endlessLoopBelowCallsYields(boolean compiled) throws RewriteException {
    Yields yields = new Yields(CodeRewriter.BATCH, 50);
    Instance instance =
        load(
            "(module "
                + STEPS
                + "(func $spin (loop $l "
                + STEP
                + " (br $l)))"
                + "(func $middle (call $spin))"
                + "(func (export \"forever\") (call $middle)))",
            compiled,
            yields);
    runsUntilStopped(instance, "forever");
    assertEquals(51, yields.count);
    assertEquals(CodeRewriter.BATCH, yields.maxGap);
  }

  /** A loop whose every iteration calls a function is counted by the callee's tick alone. */
  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void aLoopOfCallsIsCountedByItsCallee(boolean compiled) throws RewriteException {
    Yields yields = new Yields(10, Integer.MAX_VALUE);
    Instance instance =
        load(
            "(module "
                + STEPS
                + "(func $leaf (param i32) (result i32) "
                + STEP
                + """
                  (i32.add (local.get 0) (i32.const 1)))
                (func (export "run") (param $n i32) (result i32) (local $i i32)
                  (loop $l
                    (local.set $i (call $leaf (local.get $i)))
                    (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
                  (local.get $i)))
                """,
            compiled,
            yields);
    assertEquals(1000, call(instance, "run", 1000));
    // The loop header does not tick (the call comes first in every iteration); the 1000 calls
    // tick once each: a slice ends every 10 of them, after the entry's.
    assertEquals(1 + 1000 / 10, yields.count);
    assertEquals(10, yields.maxGap);
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void endlessLoopsOfHostCallsYield(boolean compiled) throws RewriteException {
    HostFunction nop =
        new HostFunction(
            "env", "nop", FunctionType.of(List.of(), List.of()), (instance, args) -> null);
    for (String loop : List.of("(call $nop)", "(call_indirect (i32.const 0))")) {
      Yields yields = new Yields(CodeRewriter.BATCH, 20);
      Instance instance =
          load(
              "(module (import \"env\" \"nop\" (func $nop)) "
                  + STEPS
                  + "(table funcref (elem $nop))"
                  + "(func (export \"forever\") (loop $l "
                  + loop
                  + STEP
                  + " (br $l))))",
              compiled,
              yields,
              nop);
      runsUntilStopped(instance, "forever");
      assertEquals(
          CodeRewriter.BATCH, yields.maxGap, loop + ": host calls do not tick; the loop does");
    }
  }

  /**
   * A function that calls itself in a loop (a binomial tree of 2^17 calls), the worst case of the
   * earlier scheme that handed budgets down as parameters: a slice is still exactly its budget.
   */
  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void aSliceIsExactlyItsBudget(boolean compiled) throws RewriteException {
    Yields yields = new Yields(1000, Integer.MAX_VALUE);
    Instance instance =
        load(
            "(module "
                + STEPS
                + "(func $tree (export \"tree\") (param $d i32) (result i32) (local $i i32) "
                + "(local $n i32) "
                + STEP
                + """
                  (local.set $n (i32.const 1))
                  (if (local.get $d)
                    (then
                      (loop $l
                        (local.set $n (i32.add (local.get $n) (call $tree (local.get $i))))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br_if $l (i32.lt_u (local.get $i) (local.get $d))))))
                  (local.get $n)))
                """,
            compiled,
            yields);
    assertEquals(1 << 17, call(instance, "tree", 17));
    assertEquals(1000, yields.maxGap);
    assertEquals(1 + ((1 << 17) - 1) / 1000, yields.count);
  }
}
