package dev.lunar.runtime.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lunar.fs.Grant;
import dev.lunar.fs.Grants;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.SpawnOptions;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import java.io.OutputStream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Opening tree files from a guest, at the WASI calls themselves (a WAT guest, no libc). */
class GuestPathsTest {
  private final Node node = new Node(NodeConfig.defaults());

  GuestPathsTest() {
    Tree.install(
        node,
        new ModuleCatalog(ModuleLoader.inMemory(false)),
        OutputStream.nullOutputStream(),
        OutputStream.nullOutputStream());
  }

  @AfterEach
  void close() {
    node.close();
  }

  /**
   * From its first preopen (fd 3; paths go up from it), the guest checks each rule in turn and
   * exits with the number of the first that does not hold: 0 if all do.
   */
  @Test
  void openRules() throws Exception {
    byte[] wasm =
        TestModules.wat(
            """
            (module
              (import "wasi_snapshot_preview1" "path_open"
                (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_fdstat_get"
                (func $fdstat (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write"
                (func $write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_read"
                (func $read (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "..")
              (data (i32.const 32) "../proc/self/status/")
              (data (i32.const 64) "../proc/self/status")
              (data (i32.const 96) "../proc/self/mailbox")
              ;; Opens PATH below fd 3; the new fd is at 200.
              (func $open (param $path i32) (param $len i32) (param $oflags i32)
                (param $rights i64) (param $fdflags i32) (result i32)
                (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
                  (local.get $oflags) (local.get $rights) (i64.const 0) (local.get $fdflags)
                  (i32.const 200)))
              (func $expect (param $got i32) (param $want i32) (param $rule i32)
                (if (i32.ne (local.get $got) (local.get $want))
                  (then (call $exit (i32.add (i32.mul (local.get $rule) (i32.const 100)) (local.get $got))))))
              (func (export "_start")
                ;; 1: "/" cannot be opened, even through ".." (EACCES)
                (call $expect (call $open (i32.const 16) (i32.const 2) (i32.const 2)
                  (i64.const 16384) (i32.const 0)) (i32.const 2) (i32.const 1))
                ;; 2: a file named with a trailing "/" is not a directory (ENOTDIR)
                (call $expect (call $open (i32.const 32) (i32.const 20) (i32.const 0)
                  (i64.const 2) (i32.const 0)) (i32.const 54) (i32.const 2))
                ;; 3: a file opened for reading only has the right to read, not to write
                (call $expect (call $open (i32.const 64) (i32.const 19) (i32.const 0)
                  (i64.const 2) (i32.const 0)) (i32.const 0) (i32.const 3))
                (call $expect (call $fdstat (i32.load (i32.const 200)) (i32.const 256))
                  (i32.const 0) (i32.const 3))
                (call $expect (i32.wrap_i64 (i64.and (i64.load (i32.const 264)) (i64.const 66)))
                  (i32.const 2) (i32.const 3))
                ;; 4: and one opened for writing only, the reverse
                (call $expect (call $open (i32.const 96) (i32.const 20) (i32.const 0)
                  (i64.const 64) (i32.const 0)) (i32.const 0) (i32.const 4))
                (call $expect (call $fdstat (i32.load (i32.const 200)) (i32.const 256))
                  (i32.const 0) (i32.const 4))
                (call $expect (i32.wrap_i64 (i64.and (i64.load (i32.const 264)) (i64.const 66)))
                  (i32.const 64) (i32.const 4))
                ;; 5: a write of 0 bytes to the mailbox succeeds, writing 0 bytes...
                (i32.store (i32.const 300) (i32.const 400))
                (i32.store (i32.const 304) (i32.const 0))
                (i32.store (i32.const 308) (i32.const 99))
                (call $expect (call $write (i32.load (i32.const 200)) (i32.const 300)
                  (i32.const 1) (i32.const 308)) (i32.const 0) (i32.const 5))
                (call $expect (i32.load (i32.const 308)) (i32.const 0) (i32.const 5))
                ;; 6: ...and sends nothing: a non-blocking read finds the mailbox empty (EAGAIN)
                (call $expect (call $open (i32.const 96) (i32.const 20) (i32.const 0)
                  (i64.const 2) (i32.const 4)) (i32.const 0) (i32.const 6))
                (i32.store (i32.const 304) (i32.const 16))
                (call $expect (call $read (i32.load (i32.const 200)) (i32.const 300)
                  (i32.const 1) (i32.const 308)) (i32.const 6) (i32.const 6))))
            """);
    var proc =
        node.spawn(
            ModuleLoader.inMemory(false).load("paths", wasm),
            TestModules.spec(OutputStream.nullOutputStream()),
            SpawnOptions.DEFAULT.withGrants(new Grants(List.of(Grant.parse("/proc:rw")))));
    assertEquals("normal", proc.awaitExit().text());
  }
}
