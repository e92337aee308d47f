package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process's {@code reductions} is exact, not rounded to the slices it has ended, and its {@code
 * resident} memory is the blocks it wrote: read while it waits, after it has ended, and for each of
 * the processes that one instance serves in turn.
 */
@Timeout(60)
class ProcFiguresTest {
  /** {@code $spin} counts to 1,000: with its entry and {@code _start}'s, 1,002 reductions. */
  private static final String SPIN =
      """
      (func $spin (local $i i32)
        (loop $l
          (br_if $l (i32.lt_u
            (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000)))))
      """;

  private final Node node = new Node(NodeConfig.defaults());
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @AfterEach
  void close() {
    node.close();
  }

  private LoadedModule load(String wat) throws Exception {
    return ModuleLoader.inMemory(false).load("t.wasm", TestModules.wat(wat));
  }

  @Test
  void anEndedProcessKeepsItsExactCountWhileItsInstanceServesTheNext() throws Exception {
    var module =
        load("(module (memory 1) %s (func (export \"_start\") (call $spin)))".formatted(SPIN));
    Proc[] procs = new Proc[3];
    for (int i = 0; i < procs.length; i++) {
      procs[i] = node.spawn(module, TestModules.spec(out), SpawnOptions.DEFAULT);
      assertEquals(ExitReason.NORMAL, procs[i].awaitExit());
    }
    assertEquals(2, node.instances().reuses(), "one instance served all three");
    for (Proc p : procs) {
      assertEquals(1002, p.reductions(), "pid " + p.pid());
      assertEquals(0, p.resident(), "$spin writes no memory");
    }
  }

  @Test
  void aWaitingProcessShowsWhatItRanSoFar() throws Exception {
    // After $spin and writes to pages 1 and 2, _start waits a minute in poll_oneoff (a clock
    // subscription at address 0, the event after it): three 4 KiB blocks written of 16 pages.
    var module =
        load(
            """
            (module
              (import "wasi_snapshot_preview1" "poll_oneoff"
                (func $poll (param i32 i32 i32 i32) (result i32)))
              (memory 16)
              %s
              (func (export "_start")
                (call $spin)
                (i32.store8 (i32.const 0x10000) (i32.const 1))
                (i32.store8 (i32.const 0x20000) (i32.const 1))
                (i64.store (i32.const 24) (i64.const 60000000000))
                (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
            """
                .formatted(SPIN));
    Proc p = node.spawn(module, TestModules.spec(out), SpawnOptions.DEFAULT);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (p.state() != ProcState.WAITING && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(ProcState.WAITING, p.state());
    assertEquals(1002, p.reductions(), "read from another thread while it waits");
    assertEquals(16 * 65536, p.memory());
    assertEquals(3 * 4096, p.resident());
    node.kill(p.pid(), ExitReason.KILLED);
    assertEquals(ExitReason.KILLED, p.awaitExit(30, TimeUnit.SECONDS));
    assertEquals(1002, p.reductions(), "and after it ended");
    assertEquals(3 * 4096, p.resident());
  }
}
