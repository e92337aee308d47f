package dev.lunar.cli;

import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.fuse.FuseMount;
import dev.lunar.fs.fuse.FuseOptions;
import dev.lunar.kv.Durability;
import dev.lunar.kv.rocks.RocksKvStore;
import dev.lunar.kv.tree.KvDir;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.metrics.Prometheus;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.tree.Tree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands against a real mount of a live node, as a user's shell runs them: one write
 * through the kernel per message, the node's refusals seen as the commands print them. The node
 * runs in this JVM with a mailbox bound of {@link #CAPACITY} messages, so a full mailbox is quick
 * to make.
 */
@Timeout(120)
class ClientCommandsTest {
  private static final int CAPACITY = 5;

  /** What processes spawned from the host print on standard error: counter says what it got. */
  private static final ByteArrayOutputStream GUEST_ERR = new ByteArrayOutputStream();

  @TempDir static Path tmp;

  private static Node node;
  private static RocksKvStore store;
  private static FuseMount mount;
  private static Path mnt;

  private final List<String> spawned = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    node = new Node(NodeConfig.defaults().withLimits(NodeConfig.DEFAULT_MAX_MESSAGE, CAPACITY));
    store = RocksKvStore.open(tmp.resolve("kv"), Durability.SYNC, Thread.ofPlatform().factory());
    KvDir kv = new KvDir(store);
    Tree.install(
            node, Modules.catalog(ModuleLoader.inMemory(false), List.of()), System.out, GUEST_ERR)
        .mount("kv", caller -> kv);
    mnt = Files.createDirectory(tmp.resolve("mnt"));
    mount = FuseMount.mount(node.hostTree(), mnt, FuseOptions.defaults());
  }

  @AfterAll
  static void stop() {
    if (mount != null) {
      mount.close();
    }
    if (node != null) {
      node.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @AfterEach
  void killSpawned() {
    for (String pid : spawned) {
      lunar("", "kill", pid);
    }
  }

  private static Run lunar(String stdin, String... args) {
    return Run.of(stdin, Map.of("LUNAR_MOUNT", mnt.toString()), args);
  }

  private static Run ok(String... args) {
    Run r = lunar("", args);
    assertEquals(0, r.code(), String.join(" ", args) + "\n" + r);
    return r;
  }

  /** Spawns {@code words} (killed after the test) and returns the pid. */
  private String spawn(String... words) {
    var args = new ArrayList<>(List.of("spawn"));
    args.addAll(List.of(words));
    String pid = ok(args.toArray(String[]::new)).out().strip();
    assertTrue(pid.matches("\\d+"), pid);
    spawned.add(pid);
    return pid;
  }

  private static String status(String pid) throws Exception {
    return Files.readString(mnt.resolve("proc/" + pid + "/status"));
  }

  private static void assertRefused(Run r, String what) {
    assertEquals(1, r.code(), what + "\n" + r);
    assertEquals("", r.out(), what);
    assertEquals(1, r.err().lines().count(), what + "\n" + r);
    assertTrue(r.err().startsWith("lunar: "), what + "\n" + r);
  }

  private static void assertBadUsage(Run r, String what) {
    assertEquals(2, r.code(), what + "\n" + r);
    assertEquals(1, r.err().lines().count(), what + "\n" + r);
  }

  @Test
  void aSendToAFullMailboxIsRefusedWithExit1() throws Exception {
    // sleep never reads its mailbox, so what is sent stays queued.
    String pid = spawn("--name", "sleeper", "sleep", "600000");
    for (int i = 0; i < CAPACITY; i++) {
      ok("send", pid, "m" + i);
    }
    assertTrue(status(pid).contains("queued: " + CAPACITY + "\n"), status(pid));
    // By pid, by name, through a tag, from standard input: the node answers EAGAIN to each.
    for (var args :
        List.of(
            new String[] {"send", pid, "one more"},
            new String[] {"send", "sleeper", "one more"},
            new String[] {"send", "--tag", "t", pid, "one more"},
            new String[] {"send", pid})) {
      Run r = lunar("from stdin", args);
      assertRefused(r, String.join(" ", args));
      assertTrue(r.err().contains("is full"), r.err());
    }
    assertTrue(status(pid).contains("queued: " + CAPACITY + "\n"), status(pid));
  }

  @Test
  void aKillReasonWithANewlineIsRefusedBeforeAnythingIsWritten() throws Exception {
    String a = spawn("sleep", "600000");
    String b = spawn("sleep", "600000");
    for (String reason : List.of("a\nlink " + b, "a\rb", "tab\there", "bell\u0007")) {
      Run r = lunar("", "kill", a, reason);
      assertBadUsage(r, reason);
      assertTrue(r.err().startsWith("lunar kill: REASON must be one line"), r.err());
    }
    Run r = lunar("", "kill", a, "first", "second\nkill");
    assertBadUsage(r, "a newline in a later word");
    // Neither the kill nor the line after it ran.
    String status = status(a);
    assertTrue(!status.contains("state: exited"), status);
    assertTrue(status.lines().noneMatch(l -> l.startsWith("links:") && l.contains(b)), status);
    // A reason on one line still works, and the node's refusals are printed with exit 1.
    ok("kill", a, "went", "away");
    assertEquals("went away\n", Files.readString(mnt.resolve("proc/" + a + "/exit")));
    assertRefused(lunar("", "kill", a), "kill an ended process");
  }

  @Test
  void sendTakesOptionsAfterTheTargetAndDashDashEndsThem() throws Exception {
    String pid = spawn("counter", "serve");
    // counter says on standard error what it got and did not understand.
    ok("send", pid, "--tag", "t1", "hello", "there");
    awaitGuestErr("counter serve: ignoring 'hello there' from 0");
    ok("send", "--tag", "t2", pid, "before");
    awaitGuestErr("counter serve: ignoring 'before' from 0");
    ok("send", pid, "--", "-x", "--tag", "x");
    awaitGuestErr("counter serve: ignoring '-x --tag x' from 0");
    ok("send", "--", pid, "--dash");
    awaitGuestErr("counter serve: ignoring '--dash' from 0");
    // A word that looks like an option and is none is bad usage: nothing is sent.
    Run r = lunar("", "send", pid, "-x");
    assertBadUsage(r, "send -x");
    assertTrue(r.err().contains("Unknown option: '-x'") && r.err().contains("--"), r.err());
    assertTrue(!guestErr().contains("'-x' from"), guestErr());
  }

  @Test
  void aWriteTooLongForTheMountIsRefusedAndCounted() throws Exception {
    String pid = spawn("sleep", "600000");
    long before = refusedSends();
    // lunar send refuses it itself; one plain write(2) reaches the mount, which refuses it whole.
    // (Files.write would write it 8 KiB at a time: many messages.)
    try (var ch = FileChannel.open(mnt.resolve("proc/" + pid + "/mailbox"), WRITE)) {
      var e = assertThrows(IOException.class, () -> ch.write(ByteBuffer.allocate(200_000)));
      assertEquals("Message too long", e.getMessage());
    }
    assertTrue(status(pid).contains("queued: 0\n"), status(pid));
    assertEquals(before + 1, refusedSends(), "lunar_messages_refused_total counts it");
  }

  @Test
  void aFullMailboxWrittenThroughTheMountIsRefusedAtOnceAndCountedOnce() throws Exception {
    String pid = spawn("sleep", "600000");
    Path box = mnt.resolve("proc/" + pid + "/mailbox");
    for (int i = 0; i < CAPACITY; i++) {
      Files.writeString(box, "m" + i);
    }
    long before = refusedSends();
    // bash, not Java: a FileChannel takes EAGAIN for "0 bytes written".
    Process p = new ProcessBuilder("bash", "-c", "printf more > \"$0\"", box.toString()).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(1, p.waitFor());
    assertTrue(err.contains("Resource temporarily unavailable"), err);
    assertEquals(before + 1, refusedSends(), "one refusal, not one per try");
    assertTrue(status(pid).contains("queued: " + CAPACITY + "\n"), status(pid));
  }

  private static long refusedSends() {
    var out = new Prometheus();
    node.stats().report(out);
    return out.text()
        .lines()
        .filter(l -> l.startsWith("lunar_messages_refused_total "))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void killAndKvPutTakeOptionsAfterTheirWordsAndDashDashEndsThem() throws Exception {
    String m = mnt.toString();
    ok("kv", "put", "opts", "a", "--mount", m, "one", "two");
    assertEquals("one two", ok("kv", "get", "opts", "a").out());
    ok("kv", "put", "opts", "b", "--", "-x", "--mount");
    assertEquals("-x --mount", ok("kv", "get", "opts", "b").out());
    ok("kv", "put", "opts", "n", "-5"); // a negative number is no option
    assertEquals("-5", ok("kv", "get", "opts", "n").out());
    Run r = lunar("", "kv", "put", "opts", "c", "-x");
    assertBadUsage(r, "kv put -x");
    assertTrue(r.err().contains("Unknown option: '-x'") && r.err().contains("--"), r.err());
    assertFalse(Files.exists(mnt.resolve("kv/opts/c")), "nothing stored");
    // A key that starts with -, after --: put, get, ls and rm alike.
    ok("kv", "put", "opts", "--", "-k", "dash");
    assertEquals("dash", ok("kv", "get", "opts", "--", "-k").out());
    assertEquals("dash", ok("kv", "get", "opts", "--mount", m, "--", "-k").out());
    assertTrue(ok("kv", "ls", "opts").out().contains("-k\n"));
    ok("kv", "rm", "opts", "--", "-k");
    assertFalse(Files.exists(mnt.resolve("kv/opts/-k")), "removed");

    String pid = spawn("sleep", "600000");
    ok("kill", pid, "--mount", m, "went", "away");
    assertEquals("went away\n", Files.readString(mnt.resolve("proc/" + pid + "/exit")));
    String other = spawn("sleep", "600000");
    ok("kill", other, "--", "-x");
    assertEquals("-x\n", Files.readString(mnt.resolve("proc/" + other + "/exit")));
  }

  @Test
  void aNameOrTagCannotLeadElsewhereInTheTree() throws Exception {
    String pid = spawn("sleep", "600000");
    String other = spawn("sleep", "600000");
    // Checked as the node checks names and tags: names/../proc/N/mailbox is another mailbox.
    for (var args :
        List.of(
            new String[] {"send", "../proc/" + other, "x"},
            new String[] {"send", "--tag", "../../" + other + "/mailbox", pid, "x"},
            new String[] {"send", "--tag", "", pid, "x"})) {
      assertRefused(lunar("", args), String.join(" ", args));
    }
    assertTrue(status(other).contains("queued: 0\n"), status(other));
    assertTrue(status(pid).contains("queued: 0\n"), status(pid));
  }

  @Test
  void topStopsAfterTheRefreshesAsked() {
    String out = ok("top", "-b", "-n", "2", "-d", "0.05").out();
    assertEquals(2, out.lines().filter(l -> l.startsWith("lunar top")).count(), out);
  }

  private static String guestErr() {
    return GUEST_ERR.toString(StandardCharsets.UTF_8);
  }

  private static void awaitGuestErr(String line) throws InterruptedException {
    for (int i = 0; i < 500 && !guestErr().contains(line + "\n"); i++) {
      Thread.sleep(10);
    }
    assertTrue(guestErr().contains(line + "\n"), "no '" + line + "' in:\n" + guestErr());
  }
}
