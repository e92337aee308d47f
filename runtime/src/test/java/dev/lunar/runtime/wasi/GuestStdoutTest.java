package dev.lunar.runtime.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Processes sharing one standard output, as a node's processes share its log. */
class GuestStdoutTest {
  private final Node node = new Node(NodeConfig.defaults());

  @AfterEach
  void close() {
    node.close();
  }

  /**
   * Each guest writes its line 20,000 times as libc does, the text and its newline in one fd_write
   * of two iovecs: no line of one lands inside a line of another.
   */
  @Test
  void oneWriteOfSeveralIovecsStaysTogether() throws Exception {
    var out = new ByteArrayOutputStream();
    var loader = ModuleLoader.inMemory(false);
    List<Proc> procs = new ArrayList<>();
    for (String line : List.of("aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd")) {
      byte[] wasm =
          TestModules.wat(
              """
              (module
                (import "wasi_snapshot_preview1" "fd_write"
                  (func $write (param i32 i32 i32 i32) (result i32)))
                (memory (export "memory") 1)
                (data (i32.const 16) "%s\\n")
                (func (export "_start") (local $i i32)
                  (i32.store (i32.const 64) (i32.const 16))
                  (i32.store (i32.const 68) (i32.const 8))
                  (i32.store (i32.const 72) (i32.const 24))
                  (i32.store (i32.const 76) (i32.const 1))
                  (loop $again
                    (drop (call $write (i32.const 1) (i32.const 64) (i32.const 2) (i32.const 96)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if $again (i32.lt_u (local.get $i) (i32.const 20000))))))
              """
                  .formatted(line));
      procs.add(
          node.spawn(
              loader.load("w" + line.charAt(0), wasm),
              TestModules.spec(out),
              SpawnOptions.DEFAULT));
    }
    for (Proc p : procs) {
      assertEquals("normal", p.awaitExit().text());
    }
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(80000, lines.size());
    for (String l : lines) {
      assertEquals(8, l.length(), "a torn line: " + l);
      assertEquals(1, l.chars().distinct().count(), "a torn line: " + l);
    }
  }
}
