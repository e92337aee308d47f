package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file protocol end to end: real guests (C and AssemblyScript) started with {@code lunar run}
 * spawn, message, link, monitor, supervise and register through files alone.
 */
class ProtocolExamplesTest {
  @TempDir Path tmp;

  private String stdout;
  private String stderr;

  private int lunar(String... args) {
    return lunarWithInput("", args);
  }

  private int lunarWithInput(String stdin, String... args) {
    Run run = Run.of(stdin, Map.of("LUNAR_DATA", tmp.resolve("data").toString()), args);
    stdout = run.out();
    stderr = run.err();
    return run.code();
  }

  @Test
  void aThousandChildrenThroughFiles() {
    assertEquals(0, lunar("run", "spawn1000", "1000"), stderr);
    assertEquals("spawn1000: 1000 children, 1000 hellos, 500 EXIT, 500 DOWN, ok\n", stdout);
  }

  @Test
  void pingPong() {
    assertEquals(0, lunar("run", "pingpong", "500"), stderr);
    assertEquals("pingpong: 500 rounds\n", stdout);
  }

  @Test
  void ring() {
    assertEquals(0, lunar("run", "ring", "200", "5"), stderr);
    assertEquals("ring: 200 processes, 5 rounds, 1000 messages\n", stdout);
  }

  @Test
  void wordCountStoresInKvThroughFiles() {
    assertEquals(0, lunarWithInput("The cat, the hat.", "run", "wordcount", "w"), stderr);
    // Each count was read back from its key file in /kv/w after the service stored it.
    assertEquals("the 2\ncat 1\nthe 2\nhat 1\n", stdout);
  }

  @Test
  void theKvStoreFromAGuest() {
    assertEquals(0, lunar("run", "kvtour"), stderr);
    assertEquals("kvtour: ok\n", stdout);
  }

  @Test
  void counterServiceByName() {
    assertEquals(0, lunar("run", "counter"), stderr);
    assertEquals("counter: 100\n", stdout);
  }

  @Test
  void supervisionTreeRestartsThenGivesUp() {
    assertEquals(0, lunar("run", "suptree"), stderr);
    assertTrue(stdout.contains("worker2 untouched (one_for_one)"), stdout);
    assertTrue(stdout.contains("restart limit reached"), stdout);
    assertTrue(stdout.endsWith("suptree: ok\n"), stdout);
  }

  @Test
  void assemblyScriptNeedsNoSdk() {
    assertEquals(0, lunar("run", "asecho"), stderr);
    assertEquals("echo: one\necho: two\necho: three\n", stdout);
  }

  @Test
  void treeFilesReadWithPlainCat() {
    assertEquals(0, lunar("run", "cat", "/proc/self/status"), stderr);
    assertTrue(
        stdout.startsWith("pid: 1\nname: -\nmodule: cat\nparent: 0\nstate: running\n"), stdout);
    assertTrue(stdout.contains("\nexit: -\n"), stdout);
  }

  @Test
  void lsListsTheTree() {
    assertEquals(0, lunar("run", "ls", "/proc"), stderr);
    assertEquals("1\nnew\nself\n", stdout);
    assertEquals(0, lunar("run", "ls", "/bin"), stderr);
    assertTrue(stdout.contains("hello.wasm\n") && stdout.contains("spawn1000.wasm\n"), stdout);
  }

  @Test
  void noGrantNoPath() {
    assertEquals(1, lunar("run", "--grant", "none", "ls", "/bin"));
    assertTrue(stderr.contains("/bin"), stderr);
    // Its own directory is always there; other processes' status is not.
    assertEquals(0, lunar("run", "--grant", "none", "ls", "/proc"), stderr);
    assertEquals("1\nself\n", stdout);
    assertEquals(1, lunar("run", "--grant", "none", "pingpong", "1"));
    assertTrue(stderr.contains("/proc/new"), stderr);
  }

  @Test
  void modulesDirectoriesJoinBin() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mods"));
    Files.write(dir.resolve("greeter.wasm"), Examples.find("hello"));
    assertEquals(0, lunar("run", "--modules", dir.toString(), "ls", "/bin"), stderr);
    assertTrue(stdout.contains("greeter.wasm\n"), stdout);
    assertEquals(2, lunar("run", "--modules", tmp.resolve("nope").toString(), "hello"));
    assertTrue(stderr.contains("--modules"), stderr);
  }

  @Test
  void hostDirectoriesStillWorkBesideTheTree() throws Exception {
    Files.writeString(tmp.resolve("a.txt"), "from the host\n");
    assertEquals(
        0,
        lunar("run", "--dir", tmp + ":/data", "cat", "/data/a.txt", "/proc/self/status"),
        stderr);
    assertTrue(stdout.startsWith("from the host\npid: 1\n"), stdout);
  }

  @Test
  void bigMessagesNonBlockingReadsAndGrantsBeyondTheParent() {
    assertEquals(0, lunar("run", "--grant", "/proc:rw", "--grant", "/bin:ro", "limits"), stderr);
    assertEquals(
        "header: 1 - 5242880\n"
            + "body: 5242880 bytes, intact\n"
            + "empty mailbox, O_NONBLOCK: EAGAIN\n"
            + "spawn beyond its grants: EACCES: spawn: --grant /kv:rw is more than this process"
            + " holds\n",
        stdout);
  }
}
