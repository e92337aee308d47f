package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import java.io.ByteArrayOutputStream;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bound on the linear memory all of a node's processes hold together (8 MiB here): grows past
 * it fail, a write past it ends only the writer, and an ended process gives its blocks back.
 */
@Timeout(60)
class GuestMemoryTest {
  private static final int MIB = 1 << 20;

  private final Node node = new Node(NodeConfig.defaults().withGuestMemory(8 * MIB));
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @AfterEach
  void close() {
    node.close();
  }

  /**
   * A module of {@code pages} pages at start that writes a byte to each 4 KiB of them, {@code
   * segments} data segments of one byte each 4 KiB apart from 64 KiB on, and then sleeps an hour.
   */
  private static LoadedModule toucher(int pages, int segments) throws Exception {
    var data = new StringBuilder();
    for (int i = 0; i < segments; i++) {
      data.append("(data (i32.const ").append(65536 + i * 4096).append(") \"x\")\n");
    }
    String wat =
        """
        (module
          (import "wasi_snapshot_preview1" "poll_oneoff"
            (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory %d)
          %s
          (func (export "_start") (local $a i32)
            (loop $touch
              (i32.store8 (local.get $a) (i32.const 1))
              (local.set $a (i32.add (local.get $a) (i32.const 4096)))
              (br_if $touch (i32.lt_u (local.get $a) (i32.const %d))))
            (i32.store8 (i32.const 8) (i32.const 0))
            (i32.store (i32.const 16) (i32.const 1))
            (i64.store (i32.const 24) (i64.const 3600000000000))
            (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
        """
            .formatted(pages, data, pages * 65536);
    return ModuleLoader.inMemory(false).load("toucher", TestModules.wat(wat));
  }

  private GuestSpec spec() {
    return TestModules.spec(out);
  }

  @Test
  void mallocFailsAtTheNodesBoundBeforeTheProcessLimit() throws Exception {
    var loader = ModuleLoader.inMemory(false);
    var alloc =
        node.spawn(
            loader.load("alloc", TestModules.example("alloc")), spec(), SpawnOptions.DEFAULT);
    assertEquals(ExitReason.NORMAL, alloc.awaitExit());
    var m = Pattern.compile("allocated (\\d+) MiB").matcher(out.toString());
    assertTrue(m.find(), out.toString());
    int mib = Integer.parseInt(m.group(1));
    assertTrue(mib >= 4 && mib < 8, "got " + mib + " MiB under a node bound of 8 MiB");
    assertEquals(0, node.guestMemory(), "an ended process holds no blocks");
  }

  @Test
  void aWritePastTheBoundEndsOnlyTheWriter() throws Exception {
    Proc first = node.spawn(toucher(96, 0), spec(), SpawnOptions.DEFAULT); // 6 MiB
    NodeTest.awaitState(first, ProcState.WAITING);
    long held = node.guestMemory();
    assertEquals(6 * MIB, held);

    Proc second = node.spawn(toucher(64, 0), spec(), SpawnOptions.DEFAULT); // 4 MiB more: too much
    ExitReason reason = second.awaitExit();
    assertTrue(
        reason.text().startsWith("trap: out of memory: the node's guests hold all the memory"),
        reason.text());
    assertEquals(ProcState.WAITING, first.state(), "the first holds its memory and runs on");
    assertEquals(held, node.guestMemory(), "the second's blocks are given back");

    node.kill(first.pid(), ExitReason.KILLED);
    first.awaitExit();
    assertEquals(0, node.guestMemory());
  }

  @Test
  void aSpawnWhoseDataDoesNotFitEndsAndLeaksNothing() throws Exception {
    Proc first = node.spawn(toucher(96, 0), spec(), SpawnOptions.DEFAULT);
    NodeTest.awaitState(first, ProcState.WAITING);
    long held = node.guestMemory();

    // 640 blocks of data segments: 2.5 MiB before its _start has run
    Proc second = node.spawn(toucher(48, 640), spec(), SpawnOptions.DEFAULT);
    ExitReason reason = second.awaitExit();
    assertTrue(reason.text().startsWith("trap: out of memory"), reason.text());
    assertEquals(held, node.guestMemory());

    Proc third = node.spawn(toucher(8, 100), spec(), SpawnOptions.DEFAULT); // fits
    NodeTest.awaitState(third, ProcState.WAITING);
    assertEquals(held + 8 * 65536, node.guestMemory());
  }
}
