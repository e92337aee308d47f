package dev.lunar.runtime.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Paths;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.proc.Message;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tree as the host sees it, over a live node with Java-bodied processes. */
class TreeTest {
  private final Node node = new Node(NodeConfig.defaults().withLimits(1024, 2));
  private final ModuleCatalog bin = new ModuleCatalog(ModuleLoader.inMemory(false));

  TreeTest() {
    bin.bundle("hello", () -> TestModules.example("hello"));
    Tree.install(node, bin, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
  }

  @AfterEach
  void close() {
    node.close();
  }

  private Handle open(String path, OpenMode mode) throws FsException {
    return ((File) Namespace.walk(node.hostTree(), Paths.split(path))).open(mode);
  }

  private static String read(Handle h) throws FsException {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    int n = h.read(buf, 0, false);
    return new String(buf.array(), 0, n, StandardCharsets.UTF_8);
  }

  private static void write(Handle h, String text) throws FsException {
    h.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
  }

  /** A process that hands over the first message it gets, then waits for one tagged stop. */
  private Proc sleeper(CompletableFuture<Message> got) throws Exception {
    return node.spawn(
        "sleeper",
        self -> {
          Message m = self.receive(null, -1);
          got.complete(m);
          self.receive("stop", -1);
        },
        SpawnOptions.DEFAULT);
  }

  @Test
  void oneWriteIsOneMessageFromTheHost() throws Exception {
    var got = new CompletableFuture<Message>();
    Proc p = sleeper(got);
    try (Handle h = open("/proc/" + p.pid() + "/tags/greeting", OpenMode.WRITE)) {
      write(h, "hi there");
    }
    Message m = got.get(10, TimeUnit.SECONDS);
    assertEquals(0, m.from());
    assertEquals("greeting", m.tag());
    assertEquals("hi there", m.text());
  }

  @Test
  void sendLimitsAnswerWithErrnos() throws Exception {
    var got = new CompletableFuture<Message>();
    Proc p = sleeper(got);
    Handle h = open("/proc/" + p.pid() + "/mailbox", OpenMode.WRITE);
    var big = assertThrows(FsException.class, () -> write(h, "x".repeat(2000)));
    assertEquals(Errno.EMSGSIZE, big.errno());
    assertTrue(big.reason().contains("over the limit"), big.reason());
    write(h, "1");
    assertEquals("1", got.get(10, TimeUnit.SECONDS).text());
    write(h, "2");
    write(h, "3");
    var full = assertThrows(FsException.class, () -> write(h, "4"));
    assertEquals(Errno.EAGAIN, full.errno());
    node.kill(p.pid(), ExitReason.KILLED);
    p.awaitExit();
    assertEquals(Errno.ESRCH, assertThrows(FsException.class, () -> write(h, "5")).errno());
  }

  @Test
  void aBadTagIsEinval() throws Exception {
    Proc p = sleeper(new CompletableFuture<>());
    for (String tag : List.of(".bad", "-bad", "a b", "x".repeat(65))) {
      var e =
          assertThrows(
              FsException.class, () -> open("/proc/" + p.pid() + "/tags/" + tag, OpenMode.WRITE));
      assertEquals(Errno.EINVAL, e.errno(), tag);
    }
    open("/proc/" + p.pid() + "/tags/" + "x".repeat(64), OpenMode.WRITE).close();
  }

  @Test
  void aProcessCannotOpenAReadOnlyFileForWriting() throws Exception {
    Proc p = sleeper(new CompletableFuture<>());
    for (String name : List.of("status", "exit", "errstr")) {
      var file = (File) Namespace.walk(node.treeFor(p), Paths.split("/proc/self/" + name));
      var e = assertThrows(FsException.class, () -> file.open(OpenMode.READ_WRITE), name);
      assertEquals(Errno.EACCES, e.errno(), name);
      assertEquals("read-only (mode 444)", e.reason(), name);
      file.open(OpenMode.READ).close();
    }
  }

  @Test
  void onlyTheOwnerReceives() throws Exception {
    Proc p = sleeper(new CompletableFuture<>());
    var e =
        assertThrows(FsException.class, () -> open("/proc/" + p.pid() + "/mailbox", OpenMode.READ));
    assertEquals(Errno.EACCES, e.errno());
  }

  @Test
  void aBadCtlLineChangesNothingAndSaysWhy() throws Exception {
    Proc a = sleeper(new CompletableFuture<>());
    Proc b = sleeper(new CompletableFuture<>());
    Handle ctl = open("/proc/" + a.pid() + "/ctl", OpenMode.READ_WRITE);
    var e = assertThrows(FsException.class, () -> write(ctl, "link " + b.pid() + "\nfrob 1\n"));
    assertEquals(Errno.EINVAL, e.errno());
    assertEquals("ctl: unknown command 'frob'\n", read(ctl));
    assertTrue(a.links().isEmpty(), "the good line before the bad one did not run");
    assertEquals(Errno.EINVAL, assertThrows(FsException.class, () -> write(ctl, "link")).errno());
    assertEquals(Errno.EINVAL, assertThrows(FsException.class, () -> write(ctl, "link x")).errno());
    write(ctl, "link " + b.pid());
    assertEquals(List.of(b.pid()), List.copyOf(a.links()));
    var noproc = assertThrows(FsException.class, () -> write(ctl, "monitor 999999"));
    assertEquals(Errno.ESRCH, noproc.errno());
    assertEquals("noproc 999999", noproc.reason());
  }

  @Test
  void ctlRegistersAndTimersAnswerTheirId() throws Exception {
    var got = new CompletableFuture<Message>();
    Proc p = sleeper(got);
    Handle ctl = open("/proc/" + p.pid() + "/ctl", OpenMode.READ_WRITE);
    write(ctl, "register svc");
    assertEquals(p.pid(), node.whereis("svc"));
    assertEquals(p.pid() + "\n", read(open("/names/svc/pid", OpenMode.READ)));
    var taken = assertThrows(FsException.class, () -> write(ctl, "register svc"));
    assertEquals(Errno.EEXIST, taken.errno());
    write(ctl, "after 10 tick hello world");
    assertTrue(read(ctl).matches("\\d+\n"));
    Message m = got.get(10, TimeUnit.SECONDS);
    assertEquals("tick", m.tag());
    assertEquals("hello world", m.text());
  }

  @Test
  void everyCtlCommandOnAProcessThatHasEndedIsEsrch() throws Exception {
    Proc p = sleeper(new CompletableFuture<>());
    Proc other = sleeper(new CompletableFuture<>());
    Handle ctl = open("/proc/" + p.pid() + "/ctl", OpenMode.READ_WRITE);
    write(open("/proc/" + p.pid() + "/ctl", OpenMode.WRITE), "kill");
    p.awaitExit();
    for (String line :
        List.of(
            "kill",
            "link " + other.pid(),
            "unlink " + other.pid(),
            "monitor " + other.pid(),
            "demonitor " + other.pid(),
            "trap-exits on",
            "register ghost",
            "unregister",
            "after 10 - hi",
            "cancel 1")) {
      var e = assertThrows(FsException.class, () -> write(ctl, line), line);
      assertEquals(Errno.ESRCH, e.errno(), line);
      assertEquals("process " + p.pid() + " has ended\n", read(ctl), line);
    }
    assertEquals(0, node.whereis("ghost"));
  }

  @Test
  void killThroughCtlAndTheExitFile() throws Exception {
    Proc p = sleeper(new CompletableFuture<>());
    Handle exit = open("/proc/" + p.pid() + "/exit", OpenMode.READ);
    assertEquals(Errno.EAGAIN, assertThrows(FsException.class, () -> read(exit)).errno());
    write(open("/proc/" + p.pid() + "/ctl", OpenMode.WRITE), "kill too slow");
    ByteBuffer buf = ByteBuffer.allocate(100);
    int n = exit.read(buf, 0, true);
    assertEquals("too slow\n", new String(buf.array(), 0, n, StandardCharsets.UTF_8));
    String status = read(open("/proc/" + p.pid() + "/status", OpenMode.READ));
    assertTrue(status.contains("\nstate: exited\n"), status);
    assertTrue(status.contains("\nexit: too slow\n"), status);
  }

  @Test
  void spawnLinesAreCheckedAndAnswered() throws Exception {
    Handle clone = open("/proc/new", OpenMode.READ_WRITE);
    var bad = assertThrows(FsException.class, () -> write(clone, "--bogus hello"));
    assertEquals(Errno.EINVAL, bad.errno());
    assertEquals("spawn: unknown option --bogus\n", read(clone));
    var missing = assertThrows(FsException.class, () -> write(clone, "nosuch"));
    assertEquals(Errno.ENOENT, missing.errno());
    assertEquals(0, node.count(), "nothing spawned");
    write(clone, "--name greeter --env NAME=tree hello");
    long pid = Long.parseLong(read(clone).strip());
    assertNotNull(node.find(pid));
    assertEquals("normal\n", readBlocking(open("/proc/" + pid + "/exit", OpenMode.READ)));
  }

  @Test
  void spawnLinesTheHostCannotMakeAreRefusedWithAReason() throws Exception {
    Handle clone = open("/proc/new", OpenMode.READ_WRITE);
    for (var line :
        List.of(
            List.of("--link hello", "spawn: --link and --monitor need a spawning process"),
            List.of("--monitor hello", "spawn: --link and --monitor need a spawning process"),
            List.of("--max-memory 8G hello", "spawn: --max-memory 8G: at most 4G"),
            List.of("supervisor extra", "supervisor: unknown option 'extra'"),
            List.of("supervisor --within 0", "supervisor: --within must be at least 1 second"),
            List.of("supervisor --strategy", "supervisor: --strategy needs a value"))) {
      var e = assertThrows(FsException.class, () -> write(clone, line.get(0)), line.get(0));
      assertEquals(Errno.EINVAL, e.errno(), line.get(0));
      assertTrue(read(clone).startsWith(line.get(1)), line.get(0));
    }
    assertEquals(0, node.count(), "nothing spawned");
  }

  @Test
  void aSupervisorSpawnedUnderASupervisorIsItsLinkedChild() throws Exception {
    Handle clone = open("/proc/new", OpenMode.READ_WRITE);
    write(clone, "supervisor");
    Proc top = node.find(Long.parseLong(read(clone).strip()));
    write(clone, "--supervisor " + top.pid() + " supervisor --strategy=one_for_all --within=2");
    Proc sub = node.find(Long.parseLong(read(clone).strip()));
    assertEquals(top.pid(), sub.parent());
    assertEquals(List.of(sub.pid()), List.copyOf(top.links()));
    node.kill(top.pid(), ExitReason.KILLED);
    // It traps exits, as supervisors do: it stops its children and ends with its parent's reason.
    assertEquals("killed", sub.awaitExit(10, TimeUnit.SECONDS).text());
  }

  @Test
  void killNormalIsRefusedAndTimersAreCancelledOnlyByTheirOwnProcess() throws Exception {
    Proc p = sleeper(new CompletableFuture<>());
    Proc other = sleeper(new CompletableFuture<>());
    Handle ctl = open("/proc/" + p.pid() + "/ctl", OpenMode.READ_WRITE);
    var normal = assertThrows(FsException.class, () -> write(ctl, "kill normal"));
    assertEquals(Errno.EINVAL, normal.errno());
    assertNull(p.exitReason());
    write(ctl, "after 60000 - later");
    String id = read(ctl).strip();
    Handle otherCtl = open("/proc/" + other.pid() + "/ctl", OpenMode.READ_WRITE);
    write(otherCtl, "cancel " + id);
    assertEquals("0\n", read(otherCtl));
    write(ctl, "cancel " + id);
    assertEquals("1\n", read(ctl));
  }

  private static String readBlocking(Handle h) throws FsException {
    ByteBuffer buf = ByteBuffer.allocate(100);
    int n = h.read(buf, 0, true);
    return new String(buf.array(), 0, n, StandardCharsets.UTF_8);
  }

  @Test
  void aModuleInBinIsDatedWhenItWasAdded() throws Exception {
    long before = System.currentTimeMillis();
    bin.bundle("dated", () -> TestModules.example("hello"));
    var stat = ((File) Namespace.walk(node.hostTree(), Paths.split("/bin/dated.wasm"))).stat();
    assertTrue(stat.modifiedMillis() >= before, "modified " + stat.modifiedMillis());
  }

  @Test
  void aModulesFileRemovedSinceTheStartLeavesBinWithEnoent(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("kept.wasm"), TestModules.example("hello"));
    Files.write(dir.resolve("gone.wasm"), TestModules.example("hello"));
    bin.addDirectory(dir);
    Files.delete(dir.resolve("gone.wasm"));
    Dir binDir = (Dir) Namespace.walk(node.hostTree(), List.of("bin"));
    FsException e =
        assertThrows(FsException.class, () -> ((File) binDir.lookup("gone.wasm")).stat());
    assertEquals(Errno.ENOENT, e.errno());
    assertTrue(e.reason().contains("gone since the node started"), e.reason());
    assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> bin.load("gone")).errno());
    assertTrue(binDir.list(null, 100).stream().noneMatch(d -> d.name().equals("gone.wasm")));
    assertTrue(binDir.list(null, 100).stream().anyMatch(d -> d.name().equals("kept.wasm")));
    assertEquals("kept", bin.load("kept").name());
  }

  @Test
  void binValidatesOnCloseAndNeverHalfInstalls() throws Exception {
    Dir binDir = (Dir) Namespace.walk(node.hostTree(), List.of("bin"));
    Handle junk = binDir.create("junk.wasm", OpenMode.WRITE, true);
    write(junk, "not wasm at all");
    assertEquals(Errno.EINVAL, assertThrows(FsException.class, junk::close).errno());
    assertThrows(FsException.class, () -> binDir.lookup("junk.wasm"));
    // A valid module that no node could start is refused too, with the import named.
    Handle unlinkable = binDir.create("unlinkable.wasm", OpenMode.WRITE, true);
    unlinkable.write(
        ByteBuffer.wrap(
            TestModules.wat(
                """
                (module (import "env" "zzz" (func))
                  (memory (export "memory") 1) (func (export "_start")))\
                """)),
        0);
    var refused = assertThrows(FsException.class, unlinkable::close);
    assertEquals(Errno.EINVAL, refused.errno());
    assertEquals("unlinkable.wasm: unknown import env.zzz", refused.reason());
    assertThrows(FsException.class, () -> binDir.lookup("unlinkable.wasm"));
    Handle good = binDir.create("again.wasm", OpenMode.WRITE, true);
    good.write(ByteBuffer.wrap(TestModules.example("hello")), 0);
    good.close();
    List<String> names = binDir.list(null, 10).stream().map(DirEntry::name).toList();
    assertEquals(List.of("again.wasm", "hello.wasm"), names);
    assertEquals(
        Errno.EPERM, assertThrows(FsException.class, () -> binDir.unlink("hello.wasm")).errno());
    binDir.unlink("again.wasm");
    assertThrows(FsException.class, () -> binDir.lookup("again.wasm"));
  }

  @Test
  void procListsLivePidsInPagesAndHidesOthersErrstr() throws Exception {
    for (int i = 0; i < 5; i++) {
      sleeper(new CompletableFuture<>());
    }
    Dir proc = (Dir) Namespace.walk(node.hostTree(), List.of("proc"));
    List<DirEntry> first = proc.list(null, 3);
    assertEquals(List.of("new", "1", "2"), first.stream().map(DirEntry::name).toList());
    List<DirEntry> rest = proc.list(first.get(2).cursor(), 10);
    assertEquals(List.of("3", "4", "5"), rest.stream().map(DirEntry::name).toList());
    Dir one = (Dir) proc.lookup("1");
    assertFalse(one.list(null, 10).stream().anyMatch(e -> e.name().equals("errstr")));
  }
}
