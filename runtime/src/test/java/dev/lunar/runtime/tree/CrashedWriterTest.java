package dev.lunar.runtime.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lunar.fs.Grant;
import dev.lunar.fs.Grants;
import dev.lunar.kv.KvStore;
import dev.lunar.kv.MemKvStore;
import dev.lunar.kv.tree.KvDir;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.SpawnOptions;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A value in /kv commits when its writer closes it or exits, never when the writer crashes. */
class CrashedWriterTest {
  private final Node node = new Node(NodeConfig.defaults());
  private final KvStore store = new MemKvStore();

  CrashedWriterTest() throws Exception {
    KvDir kv = new KvDir(store);
    Tree.install(
            node,
            new ModuleCatalog(ModuleLoader.inMemory(false)),
            OutputStream.nullOutputStream(),
            OutputStream.nullOutputStream())
        .mount("kv", caller -> kv);
    store.createBucket("b");
    store.put("b", "k", "old".getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void close() {
    node.close();
  }

  /** Opens /kv/b/k (its only preopen, fd 3) with O_CREAT|O_TRUNC, writes PARTIAL, then ENDING. */
  private String writeThen(String ending) throws Exception {
    byte[] wasm =
        TestModules.wat(
            """
            (module
              (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write"
                (func $write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "b/k")
              (data (i32.const 32) "PARTIAL")
              (func (export "_start")
                (if (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 3)
                      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 64))
                  (then (call $exit (i32.const 9))))
                (i32.store (i32.const 80) (i32.const 32))
                (i32.store (i32.const 84) (i32.const 7))
                (drop (call $write (i32.load (i32.const 64)) (i32.const 80) (i32.const 1)
                  (i32.const 88)))
                %s))
            """
                .formatted(ending));
    var module = ModuleLoader.inMemory(false).load("writer", wasm);
    var grants = new Grants(List.of(Grant.parse("/kv:rw")));
    var proc =
        node.spawn(
            module,
            TestModules.spec(OutputStream.nullOutputStream()),
            SpawnOptions.DEFAULT.withGrants(grants));
    return proc.awaitExit().text();
  }

  private String value() throws Exception {
    return new String(store.get("b", "k"), StandardCharsets.UTF_8);
  }

  @Test
  void aWriterThatTrapsStoresNothing() throws Exception {
    assertEquals("trap: Trapped on unreachable instruction", writeThen("unreachable"));
    assertEquals("old", value());
    assertEquals(List.of("k"), store.keys("b", null, 10));
  }

  @Test
  void aWriterThatExitsWithoutClosingStoresWhatItWrote() throws Exception {
    assertEquals("normal", writeThen("(call $exit (i32.const 0))"));
    assertEquals("PARTIAL", value());
  }
}
