package dev.lunar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs real guests, compiled and interpreted, and checks what they print and how they end. */
class GuestTest {
  @TempDir Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private ExitReason run(boolean interpret, byte[] module, List<String> args) throws Exception {
    return run(interpret, module, args, Map.of(), Map.of(), "");
  }

  private ExitReason run(
      boolean interpret,
      byte[] module,
      List<String> args,
      Map<String, String> env,
      Map<String, Path> dirs,
      String stdin)
      throws Exception {
    var loaded = ModuleLoader.inMemory(interpret).load("guest.wasm", module);
    var spec = new GuestSpec(args, env, dirs, new ByteArrayInputStream(stdin.getBytes()), out, err);
    return Guest.run(loaded, spec);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void argsAndEnvReachTheGuestAndNothingElse(boolean interpret) throws Exception {
    var reason =
        run(
            interpret,
            TestModules.example("hello"),
            List.of("one", "two words"),
            Map.of("NAME", "Ada"),
            Map.of(),
            "");
    assertEquals(ExitReason.NORMAL, reason);
    assertEquals(
        "Hello, Ada, from a Lunar process!\narg 1: one\narg 2: two words\n", out.toString());
  }

  @Test
  void hostEnvironmentDoesNotLeak() throws Exception {
    // The test JVM has PATH and HOME; a guest reading NAME sees only what it was given.
    assertEquals(ExitReason.NORMAL, run(false, TestModules.example("hello"), List.of()));
    assertEquals("Hello, world, from a Lunar process!\n", out.toString());
  }

  @Test
  void stdinPassesThrough() throws Exception {
    String text = "line one\nline two\n".repeat(1000);
    var reason = run(false, TestModules.example("cat"), List.of(), Map.of(), Map.of(), text);
    assertEquals(ExitReason.NORMAL, reason);
    assertEquals(text, out.toString());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 255})
  void exitCodeIsKept(int code) throws Exception {
    var reason = run(false, TestModules.example("exit"), List.of(Integer.toString(code)));
    assertEquals("exit " + code, reason.text());
    assertEquals(code, reason.exitCode());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void trapEndsTheGuestWithAReason(boolean interpret) throws Exception {
    var reason = run(interpret, TestModules.example("trap"), List.of());
    assertTrue(reason.text().startsWith("trap: "), reason.text());
    assertTrue(reason.text().contains("unreachable"), reason.text());
    assertEquals(ExitReason.CRASH_CODE, reason.exitCode());
  }

  @Test
  void divisionByZeroIsATrap() throws Exception {
    byte[] module =
        TestModules.wat(
            """
            (module (func (export "_start")
              (drop (i32.div_s (i32.const 1) (i32.const 0)))))\
            """);
    var reason = run(false, module, List.of());
    assertTrue(reason.text().startsWith("trap: "), reason.text());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void deepLegalRecursionWorks(boolean interpret) throws Exception {
    // The interpreter spends far more JVM stack per wasm frame than compiled code.
    int depth = interpret ? 10_000 : 50_000;
    var reason = run(interpret, TestModules.example("deep"), List.of(Integer.toString(depth)));
    assertEquals(ExitReason.NORMAL, reason, err.toString());
    assertEquals("depth " + (depth + 1) + "\n", out.toString());
  }

  @Test
  void runawayRecursionIsAStackOverflow() throws Exception {
    byte[] module =
        TestModules.wat(
            """
            (module
              (func $f (call $f))
              (func (export "_start") (call $f)))\
            """);
    assertEquals(ExitReason.STACK_OVERFLOW, run(false, module, List.of()));
  }

  @Test
  void preopenedDirectoryIsListed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(dir.resolve("b.txt"), "b");
    Files.writeString(dir.resolve("a.txt"), "a");
    Map<String, Path> dirs = new LinkedHashMap<>();
    dirs.put("/data", dir);
    var reason = run(false, TestModules.example("ls"), List.of("/data"), Map.of(), dirs, "");
    assertEquals(ExitReason.NORMAL, reason, err.toString());
    assertEquals("a.txt\nb.txt\n", out.toString());
  }

  /** Bytes that are not UTF-8 would decode to U+FFFD, so two such names would be one file. */
  @Test
  void aPathThatIsNotUtf8IsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    byte[] module =
        TestModules.wat(
            """
            (module
              (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "\\ff")
              (func (export "_start")
                ;; path_open(dir 3, "\\xff", O_CREAT, fd_write) and exit with its errno
                (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 1)
                  (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 32)))))
            """);
    var reason = run(false, module, List.of(), Map.of(), Map.of("/data", dir), "");
    assertEquals("exit 28", reason.text()); // EINVAL
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void withoutAGrantNoDirectoryIsVisible() throws Exception {
    var reason = run(false, TestModules.example("ls"), List.of("/tmp"));
    assertEquals("exit 1", reason.text());
    assertTrue(err.toString().startsWith("/tmp: "), err.toString());
  }

  @Test
  void missingHostDirectoryIsBadInput() {
    var e =
        assertThrows(
            ModuleException.class,
            () ->
                run(
                    false,
                    TestModules.example("ls"),
                    List.of(),
                    Map.of(),
                    Map.of("/x", tmp.resolve("missing")),
                    ""));
    assertTrue(e.getMessage().endsWith("no such directory"), e.getMessage());
  }

  @Test
  void unknownImportIsNamed() {
    byte[] module =
        TestModules.wat(
            """
            (module
              (import "env" "launch_missiles" (func))
              (func (export "_start") (call 0)))\
            """);
    var e = assertThrows(ModuleException.class, () -> run(false, module, List.of()));
    assertEquals("unknown import env.launch_missiles", e.getMessage());
  }

  @Test
  void wasiImportWithWrongTypeIsNamed() {
    byte[] module =
        TestModules.wat(
            """
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func (param i64)))
              (func (export "_start") (call 0 (i64.const 0))))\
            """);
    var e = assertThrows(ModuleException.class, () -> run(false, module, List.of()));
    assertEquals("import wasi_snapshot_preview1.proc_exit has the wrong type", e.getMessage());
  }
}
