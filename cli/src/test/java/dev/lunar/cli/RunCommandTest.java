package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lunar run} through the command line, in process, against real guests. */
class RunCommandTest {
  @TempDir Path tmp;

  private String stdout;
  private String stderr;

  private int lunar(String stdin, String... args) {
    Run run = Run.of(stdin, Map.of("LUNAR_DATA", tmp.resolve("data").toString()), args);
    stdout = run.out();
    stderr = run.err();
    return run.code();
  }

  @Test
  void runsABundledExampleByName() {
    assertEquals(0, lunar("", "run", "hello"));
    assertEquals("Hello, world, from a Lunar process!\n", stdout);
    assertEquals("", stderr);
  }

  @Test
  void runsAFileWithArgsAndEnv() throws Exception {
    Path file = tmp.resolve("greet.wasm");
    Files.write(file, Examples.find("hello"));
    assertEquals(0, lunar("", "run", "--env", "NAME=Grace", file.toString(), "--not-an-option"));
    assertEquals("Hello, Grace, from a Lunar process!\narg 1: --not-an-option\n", stdout);
  }

  @Test
  void compiledModulesAreCachedInTheDataDirectory() throws Exception {
    assertEquals(0, lunar("", "run", "fib", "10"));
    try (var files = Files.list(tmp.resolve("data/cache"))) {
      Path versionDir = files.findFirst().orElseThrow();
      assertTrue(versionDir.getFileName().toString().startsWith("chicory-"));
      try (var entries = Files.list(versionDir)) {
        assertEquals(1, entries.count());
      }
    }
  }

  @Test
  void interpretModeRunsWithoutCompiling() {
    assertEquals(0, lunar("", "run", "--interpret", "fib", "15"));
    assertEquals("fib(15) = 610\n", stdout);
    assertTrue(Files.notExists(tmp.resolve("data/cache")) || isEmpty(tmp.resolve("data/cache")));
  }

  /** /metrics is a file preopened on its own: libc opens it as "." of that preopen. */
  @Test
  void theProcessSeesMetricsAndTheNetworkToo() {
    assertEquals(0, lunar("", "run", "cat", "/metrics"), stderr);
    assertTrue(stdout.contains("\nlunar_spawns_total 1\n"), stdout);
    assertEquals(0, lunar("", "run", "--grant", "/metrics:ro", "cat", "/metrics"), stderr);
    assertTrue(stdout.contains("\nlunar_processes{state=\"running\"} 1\n"), stdout);
    assertEquals(0, lunar("", "run", "cat", "/net/tcp/47123/status"), stderr);
    assertTrue(stdout.startsWith("port: 47123\n"), stdout);
    assertEquals(1, lunar("", "run", "--grant", "/proc:ro", "cat", "/metrics"));
    assertEquals("/metrics: Capabilities insufficient\n", stderr);
  }

  @Test
  void stdinPassesThrough() {
    assertEquals(0, lunar("from stdin\n", "run", "cat"));
    assertEquals("from stdin\n", stdout);
  }

  @Test
  void exitCodeBecomesTheCommands() {
    assertEquals(42, lunar("", "run", "exit", "42"));
    assertEquals("", stderr);
  }

  @Test
  void trapIsOneLine() {
    assertEquals(134, lunar("", "run", "trap"));
    assertTrue(stderr.startsWith("trap: "), stderr);
    assertEquals(1, stderr.lines().count(), stderr);
  }

  @Test
  void dirMapsHostToGuestPath() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("shared"));
    Files.writeString(dir.resolve("note.txt"), "x");
    assertEquals(0, lunar("", "run", "--dir", dir + ":/mnt", "ls", "/mnt"));
    assertEquals("note.txt\n", stdout);
  }

  @Test
  void dirWithoutGuestPathUsesTheHostPath() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("same"));
    Files.writeString(dir.resolve("here.txt"), "x");
    assertEquals(0, lunar("", "run", "--dir", dir.toString(), "ls", dir.toString()));
    assertEquals("here.txt\n", stdout);
  }

  @Test
  void missingFileIsBadInput() {
    assertEquals(2, lunar("", "run", tmp.resolve("nope.wasm").toString()));
    assertEquals("lunar: " + tmp.resolve("nope.wasm") + ": no such file\n", stderr);
  }

  @Test
  void aMissingFileNamedLikeAnExampleIsNotTheExample() {
    assertEquals(2, lunar("", "run", "hello.wasm")); // no hello.wasm in the working directory
    assertEquals("lunar: hello.wasm: no such file\n", stderr);
    assertEquals(0, lunar("", "run", "hello"));
  }

  @Test
  void sizesAndPortsOutOfRangeAreBadInput() {
    assertEquals(2, lunar("", "run", "--max-memory", "5G", "hello"));
    assertEquals(
        "lunar: hello: --max-memory 5G: at most 4G (all a wasm32 memory can be)\n", stderr);
    assertEquals(2, lunar("", "serve", "--port", "99999", "hello"));
    assertEquals("lunar: hello: --port 99999: a port is 0 to 65535\n", stderr);
  }

  @Test
  @org.junit.jupiter.api.Timeout(60) // a serve that does not refuse would serve for ever
  void serveRefusesAModuleThatCannotStartUnderItsMemoryLimitAsRunDoes() {
    String refusal = "lunar: hello: needs 128 KiB of memory at start, over the limit of 64 KiB\n";
    assertEquals(2, lunar("", "run", "--max-memory", "64K", "hello"));
    assertEquals(refusal, stderr);
    assertEquals(2, lunar("", "serve", "--port", "0", "--max-memory", "64K", "hello"));
    assertEquals(refusal, stderr);
  }

  @Test
  void unknownNameIsBadInput() {
    assertEquals(2, lunar("", "run", "no-such-example"));
    assertEquals(
        "lunar: no-such-example: no such file (nor a bundled example of that name)\n", stderr);
  }

  @Test
  void notWasmIsBadInput() throws Exception {
    Path file = Files.writeString(tmp.resolve("script.wasm"), "#!/bin/sh\necho hi\n");
    assertEquals(2, lunar("", "run", file.toString()));
    assertEquals(
        "lunar: " + file + ": not a WebAssembly module (no \\0asm magic number)\n", stderr);
  }

  @Test
  void truncatedModuleIsBadInput() throws Exception {
    byte[] hello = Examples.find("hello");
    Path file = tmp.resolve("cut.wasm");
    Files.write(file, java.util.Arrays.copyOf(hello, hello.length - 100));
    assertEquals(2, lunar("", "run", file.toString()));
    assertTrue(stderr.startsWith("lunar: " + file + ": invalid module: "), stderr);
    assertEquals(1, stderr.lines().count(), stderr);
  }

  @Test
  void badEnvIsBadInput() {
    assertEquals(2, lunar("", "run", "--env", "NOEQUALS", "hello"));
    assertEquals("lunar: hello: --env NOEQUALS: expected K=V\n", stderr);
  }

  @Test
  void usageErrorsAreOneLine() {
    assertEquals(2, lunar("", "run"));
    assertEquals(
        "lunar run: Missing required parameter: 'MODULE' (see lunar run --help)\n", stderr);
    assertEquals(2, lunar("", "run", "--frob", "hello"));
    assertEquals("lunar run: Unknown option: '--frob' (see lunar run --help)\n", stderr);
    for (String n : List.of("-5", "0")) {
      assertEquals(2, lunar("", "run", "--max-reductions", n, "spin"));
      assertEquals("lunar: spin: --max-reductions must be at least 1\n", stderr);
    }
  }

  @Test
  void helpDescribesRun() {
    assertEquals(0, lunar("", "run", "--help"));
    assertTrue(stdout.contains("--dir=HOST[:GUEST]"), stdout);
    assertTrue(stdout.contains("--interpret"), stdout);
  }

  private static boolean isEmpty(Path dir) {
    try (var files = Files.walk(dir)) {
      return files.noneMatch(Files::isRegularFile);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
