package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher, {@code scripts/lunar}, started as a separate process after {@code package}:
 * exit codes, the split between stdout and stderr, and no stack traces on bad input.
 */
class LauncherIT {
  private static final Path ROOT = Path.of(System.getProperty("lunar.root"));

  @TempDir Path tmp;

  private record Result(int code, String out, String err) {}

  private Result lunar(String stdin, String... args) throws Exception {
    var command = new java.util.ArrayList<>(List.of(ROOT.resolve("scripts/lunar").toString()));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command);
    builder.environment().put("LUNAR_DATA", tmp.resolve("data").toString());
    Path out = tmp.resolve("out");
    Path err = tmp.resolve("err");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = builder.start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), "lunar did not finish");
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void runsAnExampleWithArgs() throws Exception {
    var r = lunar("", "run", "--env", "NAME=you", "hello", "x");
    assertEquals(new Result(0, "Hello, you, from a Lunar process!\narg 1: x\n", ""), r);
  }

  @Test
  void pipesStdinThrough() throws Exception {
    assertEquals(new Result(0, "piped\n", ""), lunar("piped\n", "run", "cat"));
  }

  /** Runs {@code script} in bash with $0 the launcher; its standard output. */
  private String bash(String script) throws Exception {
    var builder =
        new ProcessBuilder("bash", "-c", script, ROOT.resolve("scripts/lunar").toString());
    builder.environment().put("LUNAR_DATA", tmp.resolve("data").toString());
    Path out = tmp.resolve("out");
    builder.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
    Process process = builder.start();
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), "lunar did not finish");
    return Files.readString(out);
  }

  /** A closed stdin is an empty one: the JVM would otherwise reuse fd 0 for a file of its own. */
  @Test
  void aClosedStdinReadsAsEmpty() throws Exception {
    assertEquals("rc=0\n", bash("\"$0\" run cat <&-; echo \"rc=$?\""));
  }

  /** With no locale set, as under cron, an argument that is UTF-8 still reaches the guest whole. */
  @Test
  void argumentsAreUtf8WithoutALocale() throws Exception {
    String out = bash("env -u LANG -u LC_ALL -u LC_CTYPE \"$0\" run hello \u00e9t\u00e9");
    assertEquals("Hello, world, from a Lunar process!\narg 1: \u00e9t\u00e9\n", out);
  }

  /** A write the host refuses fails in the guest too: cat says so and exits 1. */
  @Test
  void aFailedWriteToStdoutReachesTheGuest() throws Exception {
    String out = bash("echo hi | \"$0\" run cat 2>&1 > /dev/full; echo \"rc=$?\"");
    assertTrue(out.contains("I/O error") && out.endsWith("rc=1\n"), out);
  }

  /** poll(2) on a pipe whose writer has gone reports it readable: so must poll_oneoff. */
  @Test
  void pollSeesTheEndOfStandardInput() throws Exception {
    Path wat = tmp.resolve("pollin.wat");
    Files.writeString(
        wat,
        """
        (module
          (import "wasi_snapshot_preview1" "poll_oneoff"
            (func $poll (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store8 (i32.const 8) (i32.const 1)) ;; one subscription: fd_read
            (i32.store (i32.const 16) (i32.const 0)) ;; of fd 0, with no timeout
            (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
            (call $exit (i32.add (i32.const 7) (i32.load (i32.const 128)))))) ;; 8: one event
        """);
    Path wasm = tmp.resolve("pollin.wasm");
    var wat2wasm = new ProcessBuilder("wat2wasm", "-o", wasm.toString(), wat.toString());
    assertEquals(0, wat2wasm.inheritIO().start().waitFor());
    assertEquals(8, lunar("", "run", wasm.toString()).code());
  }

  @Test
  void reportsTheGuestsExitCode() throws Exception {
    assertEquals(3, lunar("", "run", "exit", "3").code());
  }

  @Test
  void trapIsOneLineAndNonZero() throws Exception {
    var r = lunar("", "run", "trap");
    assertEquals(134, r.code());
    assertTrue(r.err().startsWith("trap: ") && r.err().lines().count() == 1, r.err());
  }

  @Test
  void badModuleIsExitTwoWithoutStackTrace() throws Exception {
    Path junk = Files.writeString(tmp.resolve("junk.wasm"), "not wasm at all");
    var r = lunar("", "run", junk.toString());
    assertEquals(2, r.code());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }
}
