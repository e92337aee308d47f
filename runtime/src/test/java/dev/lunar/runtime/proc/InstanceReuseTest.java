package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spawns reuse the instances of processes that ended cleanly ({@link Instances}); a reused instance
 * must look to its new process exactly like a new one.
 */
@Timeout(60)
class InstanceReuseTest {
  private static final String WRITE =
      "(import \"wasi_snapshot_preview1\" \"fd_write\""
          + " (func $write (param i32 i32 i32 i32) (result i32)))";

  /**
   * Prints its global, a byte from its data segment and a byte its data does not cover, then
   * changes all three: a process handed a dirty instance prints "By5" instead of "Ax0".
   */
  private static final String DIRTY =
      """
      (module
        %s
        (memory 1 4)
        (global $g (mut i32) (i32.const 65))
        (data (i32.const 100) "x")
        (func (export "_start")
          (i32.store8 (i32.const 16) (global.get $g))
          (i32.store8 (i32.const 17) (i32.load8_u (i32.const 100)))
          (i32.store8 (i32.const 18) (i32.add (i32.const 48) (i32.load8_u (i32.const 200))))
          (i32.store8 (i32.const 19) (i32.const 10))
          (i32.store (i32.const 0) (i32.const 16))
          (i32.store (i32.const 4) (i32.const 4))
          (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (global.set $g (i32.const 66))
          (i32.store8 (i32.const 100) (i32.const 121))
          (i32.store8 (i32.const 200) (i32.const 5))))
      """
          .formatted(WRITE);

  /** Prints its memory size in pages as a digit, then grows by one page. */
  private static final String GROWER =
      """
      (module
        %s
        (memory 1 4)
        (func (export "_start")
          (i32.store8 (i32.const 16) (i32.add (i32.const 48) (memory.size)))
          (i32.store (i32.const 0) (i32.const 16))
          (i32.store (i32.const 4) (i32.const 1))
          (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (drop (memory.grow (i32.const 1)))))
      """
          .formatted(WRITE);

  private final Node node = new Node(NodeConfig.defaults());
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @AfterEach
  void close() {
    node.close();
  }

  private LoadedModule load(String wat, boolean interpret) throws Exception {
    return ModuleLoader.inMemory(interpret).load("t.wasm", TestModules.wat(wat));
  }

  private void runTimes(LoadedModule module, int times, ExitReason expected) throws Exception {
    for (int i = 0; i < times; i++) {
      var proc = node.spawn(module, TestModules.spec(out), SpawnOptions.DEFAULT);
      assertEquals(expected, proc.awaitExit());
    }
  }

  @ParameterizedTest(name = "interpret={0}")
  @ValueSource(booleans = {false, true})
  void aReusedInstanceStartsLikeANewOne(boolean interpret) throws Exception {
    runTimes(load(DIRTY, interpret), 20, ExitReason.NORMAL);
    assertEquals("Ax0\n".repeat(20), out.toString());
    assertEquals(19, node.instances().reuses(), "every spawn after the first reuses");
  }

  @Test
  void aProcessMemoryHoldsOnlyTheBlocksWritten() throws Exception {
    var module =
        load(
            "(module (memory 4 4) (data (i32.const 100) \"x\") (func (export \"_start\")))", false);
    var kind = node.instances().kind(module, new MemoryLimits(4, 4));
    var memory = node.instances().take(kind).memory();
    assertInstanceOf(SparseMemory.class, memory, "processes get sparse memory");
    assertEquals(4, memory.pages());
    assertEquals(SparseMemory.BLOCK, ((SparseMemory) memory).residentBytes(), "the data's block");
    assertEquals('x', memory.read(100));
  }

  @Test
  void anInstanceWhoseMemoryGrewIsNotReused() throws Exception {
    runTimes(load(GROWER, false), 3, ExitReason.NORMAL);
    assertEquals("111", out.toString());
    assertEquals(0, node.instances().reuses());
  }

  @Test
  void anInstanceThatTrappedIsNotReused() throws Exception {
    var trap = load("(module (func (export \"_start\") unreachable))", false);
    for (int i = 0; i < 3; i++) {
      var proc = node.spawn(trap, TestModules.spec(out), SpawnOptions.DEFAULT);
      assertTrue(proc.awaitExit().text().startsWith("trap:"));
    }
    assertEquals(0, node.instances().reuses());
  }

  @Test
  void anExitWithACodeStillGivesTheInstanceBack() throws Exception {
    var exit3 =
        load(
            """
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory 1 1)
              (func (export "_start") (call $exit (i32.const 3))))
            """,
            false);
    runTimes(exit3, 3, ExitReason.exit(3));
    assertEquals(2, node.instances().reuses());
  }

  @Test
  void modulesThatChangeWhatAResetKeepsAreNeverReused() throws Exception {
    String growsTable =
        """
        (module (table $t 1 funcref)
          (func (export "_start") (drop (table.grow $t (ref.null func) (i32.const 1)))))
        """;
    assertFalse(Instances.resettable(Parser.parse(TestModules.wat(growsTable))));
    runTimes(load(growsTable, false), 3, ExitReason.NORMAL);
    assertEquals(0, node.instances().reuses());
    assertTrue(Instances.resettable(Parser.parse(TestModules.wat(DIRTY))));
  }
}
