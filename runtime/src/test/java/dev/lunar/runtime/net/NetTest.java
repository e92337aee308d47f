package dev.lunar.runtime.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Grant;
import dev.lunar.fs.Grants;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Paths;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /net} over real sockets, driven through the host's tree and Java-bodied processes. */
class NetTest {
  private final Node node = new Node(NodeConfig.defaults());
  private Net net;

  private void install(NetConfig config) {
    Tree tree =
        Tree.install(
            node,
            new ModuleCatalog(ModuleLoader.inMemory(false)),
            OutputStream.nullOutputStream(),
            OutputStream.nullOutputStream());
    net = Net.install(tree, config);
  }

  NetTest() {
    install(NetConfig.defaults());
  }

  @AfterEach
  void close() {
    net.close();
    node.close();
  }

  private static File file(Dir root, String path) throws FsException {
    return (File) Namespace.walk(root, Paths.split(path));
  }

  private Handle open(String path, OpenMode mode) throws FsException {
    return file(node.hostTree(), path).open(mode);
  }

  private static String read(Handle h) throws FsException {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    int n = h.read(buf, 0, true);
    return new String(buf.array(), 0, n, StandardCharsets.UTF_8);
  }

  private static void write(Handle h, String text) throws FsException {
    h.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
  }

  private static String readLine(InputStream in) throws Exception {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      line.append((char) c);
    }
    return c < 0 && line.isEmpty() ? null : line.toString();
  }

  private Socket connect(int port) throws Exception {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(30_000);
    return s;
  }

  private String status(String path) throws FsException {
    try (Handle h = open(path, OpenMode.READ)) {
      return read(h);
    }
  }

  /** A port announced by the node, its {@code listen} file open on the host. */
  private final class Port implements AutoCloseable {
    final Net.Announcement announced = net.announce(0);
    final String base = "/net/tcp/" + announced.port();
    final Handle listen = open(base + "/listen", OpenMode.READ);

    Port() throws Exception {}

    Socket connect() throws Exception {
      return NetTest.this.connect(announced.port());
    }

    /** The directory of the next connection accepted, read from {@code listen}. */
    String accept() throws FsException {
      return base + "/" + read(listen).strip();
    }

    @Override
    public void close() throws Exception {
      listen.close();
      announced.close();
    }
  }

  @Test
  void bytesBothWaysThenEndOfFileEachSide() throws Exception {
    try (Port port = new Port();
        Socket client = port.connect()) {
      String dir = port.accept();
      Handle data = open(dir + "/data", OpenMode.READ_WRITE);
      client.getOutputStream().write("hello node\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("hello node\n", read(data));
      write(data, "hello client\n");
      assertEquals("hello client", readLine(client.getInputStream()));
      assertTrue(status(dir + "/status").contains("\nreceived: 11\nsent: 13\n"));

      client.shutdownOutput(); // the peer's end of file reaches the reader, after its bytes
      assertEquals(0, data.read(ByteBuffer.allocate(16), 0, true));
      write(data, "still open the other way\n");
      assertEquals("still open the other way", readLine(client.getInputStream()));

      data.close(); // the last handle: the connection closes, and it leaves the tree
      assertEquals(null, readLine(client.getInputStream()));
      FsException gone = assertThrows(FsException.class, () -> open(dir + "/data", OpenMode.READ));
      assertEquals(Errno.ENOENT, gone.errno());
    }
  }

  @Test
  void shutdownSendsWhatWasWrittenFirstThenRefusesWrites() throws Exception {
    try (Port port = new Port();
        Socket client = port.connect()) {
      String dir = port.accept();
      Handle data = open(dir + "/data", OpenMode.READ_WRITE);
      Handle ctl = open(dir + "/ctl", OpenMode.WRITE);
      // Big enough that the writer is still sending when the shutdown comes.
      String big = "x".repeat(200_000) + "\n";
      write(data, "before shutdown\n");
      write(data, big);
      write(ctl, "shutdown");
      var e = assertThrows(FsException.class, () -> write(data, "after\n"));
      assertEquals(Errno.EPIPE, e.errno());
      InputStream in = client.getInputStream();
      assertEquals("before shutdown", readLine(in));
      assertEquals(big.strip(), readLine(in));
      assertEquals(null, readLine(in)); // then the end of file
      client.getOutputStream().write("the other way\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("the other way\n", read(data));
      data.close();
      ctl.close();
    }
  }

  @Test
  void manyMegabytesArriveWholeAndInOrderPastTheSendQueue() throws Exception {
    try (Port port = new Port();
        Socket client = port.connect()) {
      String dir = port.accept();
      int chunks = 64;
      int chunk = 64 << 10; // 4 MiB in all: far past what the send queue holds
      var received = new CompletableFuture<byte[]>();
      Thread.ofVirtual()
          .start(() -> {
            try {
              received.complete(client.getInputStream().readNBytes(chunks * chunk));
            } catch (Exception e) {
              received.completeExceptionally(e);
            }
          });
      try (Handle data = open(dir + "/data", OpenMode.WRITE)) {
        for (int i = 0; i < chunks; i++) {
          byte[] bytes = new byte[chunk];
          java.util.Arrays.fill(bytes, (byte) i);
          assertEquals(chunk, data.write(ByteBuffer.wrap(bytes), 0));
        }
      }
      byte[] all = received.get(60, TimeUnit.SECONDS);
      assertEquals(chunks * chunk, all.length);
      for (int i = 0; i < chunks; i++) {
        assertEquals((byte) i, all[i * chunk], "chunk " + i);
        assertEquals((byte) i, all[i * chunk + chunk - 1], "chunk " + i);
      }
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(60) // a write that waits instead would wait for ever
  void aNonBlockingWriteToAPeerThatDoesNotReadIsEagainAndLosesNothing() throws Exception {
    try (Port port = new Port();
        Socket client = port.connect()) {
      String dir = port.accept();
      byte[] chunk = new byte[16 << 10];
      int accepted = 0;
      try (Handle data = open(dir + "/data", OpenMode.WRITE)) {
        // The peer reads nothing: the socket's buffers fill, then the node's send queue.
        FsException full = null;
        for (int i = 0; i < 100_000 && full == null; i++) {
          java.util.Arrays.fill(chunk, (byte) i);
          try {
            assertEquals(chunk.length, data.write(ByteBuffer.wrap(chunk), 0, false));
            accepted++;
          } catch (FsException e) {
            full = e;
          }
        }
        assertNotNull(full, "a non-blocking write never found the queue full");
        assertEquals(Errno.EAGAIN, full.errno());
        assertTrue(full.getMessage().contains("slow to read"), full.getMessage());
        // Every write it took arrives, in order, once the peer reads; the refused one sent nothing.
        byte[] all = client.getInputStream().readNBytes(accepted * chunk.length);
        assertEquals(accepted * chunk.length, all.length);
        for (int i = 0; i < accepted; i++) {
          assertEquals((byte) i, all[i * chunk.length], "chunk " + i);
        }
        // With room again, it writes.
        assertEquals(1, data.write(ByteBuffer.wrap(new byte[] {'!'}), 0, false));
        assertEquals('!', client.getInputStream().read());
      }
    }
  }

  /**
   * A guest fills a connection's send queue with O_NONBLOCK writes to a peer that reads nothing,
   * then polls for writing: with a timeout the poll times out; without, it returns once the peer
   * reads, and the next write goes. It exits with a code naming the step that went wrong.
   */
  @Test
  @org.junit.jupiter.api.Timeout(60)
  void aGuestPollingToWriteWaitsForRoomOnTheConnection() throws Exception {
    try (Port port = new Port();
        Socket client = port.connect()) {
      client.setReceiveBufferSize(4096);
      String data = port.accept().substring("/net/".length()) + "/data";
      byte[] wasm =
          TestModules.wat(
              """
              (module
                (import "wasi_snapshot_preview1" "path_open"
                  (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "fd_write"
                  (func $write (param i32 i32 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "poll_oneoff"
                  (func $poll (param i32 i32 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                (memory (export "memory") 1)
                (data (i32.const 16) "%s")
                (data (i32.const 100) "polled\\n")
                (func $send (param $fd i32) (param $at i32) (param $len i32) (result i32)
                  (i32.store (i32.const 80) (local.get $at))
                  (i32.store (i32.const 84) (local.get $len))
                  (call $write (local.get $fd) (i32.const 80) (i32.const 1) (i32.const 88)))
                ;; Polls for writing the data file (userdata 1), and with $clock for 300 ms
                ;; (userdata 2); gives the number of events, the first at 512.
                (func $pollWrite (param $clock i32) (result i32)
                  (i64.store (i32.const 256) (i64.const 1))
                  (i32.store8 (i32.const 264) (i32.const 2))
                  (i32.store (i32.const 272) (i32.load (i32.const 64)))
                  (i64.store (i32.const 304) (i64.const 2))
                  (i32.store8 (i32.const 312) (i32.const 0))
                  (i32.store (i32.const 320) (i32.const 1))
                  (i64.store (i32.const 328) (i64.const 300000000))
                  (i64.store (i32.const 336) (i64.const 0))
                  (i32.store16 (i32.const 344) (i32.const 0))
                  (if (call $poll (i32.const 256) (i32.const 512)
                        (i32.add (i32.const 1) (local.get $clock)) (i32.const 96))
                    (then (call $exit (i32.const 2))))
                  (i32.load (i32.const 96)))
                (func (export "_start") (local $e i32) (local $fd i32) (local $rounds i32)
                  ;; data, write-only, O_NONBLOCK, below whichever preopen is /net
                  (local.set $fd (i32.const 3))
                  (loop $next
                    (local.set $e (call $open (local.get $fd) (i32.const 0) (i32.const 16)
                      (i32.const %d) (i32.const 0) (i64.const 64) (i64.const 0) (i32.const 4)
                      (i32.const 64)))
                    (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
                    (br_if $next (i32.and (i32.ne (local.get $e) (i32.const 0))
                      (i32.lt_u (local.get $fd) (i32.const 10)))))
                  (if (local.get $e) (then (call $exit (i32.const 3))))
                  ;; Fill the queue until a poll with a timeout times out: while the node's
                  ;; sending still drains it into the socket, the poll says writable, and then
                  ;; a write goes.
                  (loop $round
                    (loop $fill
                      (local.set $e (call $send (i32.load (i32.const 64)) (i32.const 4096)
                        (i32.const 16384)))
                      (br_if $fill (i32.eqz (local.get $e))))
                    (if (i32.ne (local.get $e) (i32.const 6)) (then (call $exit (i32.const 4))))
                    (local.set $rounds (i32.add (local.get $rounds) (i32.const 1)))
                    (if (i32.gt_u (local.get $rounds) (i32.const 1000))
                      (then (call $exit (i32.const 5))))
                    (drop (call $pollWrite (i32.const 1)))
                    (if (i64.eq (i64.load (i32.const 512)) (i64.const 1))
                      (then
                        (if (call $send (i32.load (i32.const 64)) (i32.const 4096)
                              (i32.const 16384))
                          (then (call $exit (i32.const 6))))
                        (br $round))))
                  (drop (call $send (i32.const 1) (i32.const 100) (i32.const 7)))
                  ;; no clock: it returns once the peer has read, with no error
                  (if (i32.ne (call $pollWrite (i32.const 0)) (i32.const 1))
                    (then (call $exit (i32.const 7))))
                  (if (i64.ne (i64.load (i32.const 512)) (i64.const 1))
                    (then (call $exit (i32.const 8))))
                  (if (i32.load16_u (i32.const 520)) (then (call $exit (i32.const 9))))
                  (if (call $send (i32.load (i32.const 64)) (i32.const 4096) (i32.const 16384))
                    (then (call $exit (i32.const 10))))))
              """
                  .formatted(data, data.length()));
      var out = new java.io.ByteArrayOutputStream();
      Proc guest =
          node.spawn(
              ModuleLoader.inMemory(false).load("pollwrite", wasm),
              TestModules.spec(out),
              SpawnOptions.DEFAULT.withGrants(new Grants(List.of(Grant.parse("/net:rw")))));
      while (!out.toString(StandardCharsets.UTF_8).equals("polled\n")) {
        assertEquals(null, guest.exitReason(), "the guest ended before its poll");
        Thread.sleep(20);
      }
      // Read until the guest has written its last chunk and ended: its poll waits for this.
      InputStream in = client.getInputStream();
      byte[] buf = new byte[1 << 16];
      while (guest.exitReason() == null && in.read(buf) > 0) {}
      assertEquals("normal", guest.awaitExit().text());
    }
  }

  @Test
  void portDirectoryListsListenStatusAndOpenConnections() throws Exception {
    try (Port port = new Port();
        Socket a = port.connect();
        Socket b = port.connect()) {
      String first = read(port.listen).strip();
      String second = read(port.listen).strip();
      Dir dir = (Dir) Namespace.walk(node.hostTree(), Paths.split(port.base));
      List<String> names = dir.list(null, 100).stream().map(DirEntry::name).toList();
      assertEquals(List.of("listen", "status", first, second), names);
      List<String> paged = dir.list("status", 1).stream().map(DirEntry::name).toList();
      assertEquals(List.of(first), paged);
      Dir tcp = (Dir) Namespace.walk(node.hostTree(), Paths.split("/net/tcp"));
      assertEquals(
          List.of(Integer.toString(port.announced.port())),
          tcp.list(null, 10).stream().map(DirEntry::name).toList());
      String s = status(port.base + "/status");
      assertTrue(s.contains("listening: yes\nconnections: 2\n"), s);
    }
  }

  @Test
  void ctlCloseHangsUpAndBadLinesAreRefused() throws Exception {
    try (Port port = new Port();
        Socket client = port.connect()) {
      String dir = port.accept();
      Handle data = open(dir + "/data", OpenMode.READ_WRITE);
      Handle ctl = open(dir + "/ctl", OpenMode.WRITE);
      FsException bad = assertThrows(FsException.class, () -> write(ctl, "frob\n"));
      assertEquals(Errno.EINVAL, bad.errno());
      assertTrue(bad.reason().contains("'frob'"), bad.reason());
      write(ctl, "close\n");
      assertEquals(null, readLine(client.getInputStream()));
      FsException closed = assertThrows(FsException.class, () -> write(data, "late"));
      assertEquals(Errno.EPIPE, closed.errno());
      assertTrue(closed.reason().contains("hung up"), closed.reason());
      assertEquals(0, data.read(ByteBuffer.allocate(8), 0, true));
    }
  }

  @Test
  void connectionsBeyondTheLimitAreRefused() throws Exception {
    net.close();
    install(NetConfig.defaults().withMaxConnections(2));
    try (Port port = new Port();
        Socket a = port.connect();
        Socket b = port.connect();
        Socket c = port.connect()) {
      String first = read(port.listen).strip();
      read(port.listen);
      // The third is accepted by the kernel, then closed by the node: its read ends at once.
      assertEquals(-1, c.getInputStream().read());
      String s = status(port.base + "/status");
      assertTrue(s.contains("connections: 2\n"), s);
      assertTrue(s.contains("refused: 1\n"), s);
      // Once one closes, there is room again.
      open(port.base + "/" + first + "/data", OpenMode.READ).close();
      try (Socket d = port.connect()) {
        d.getOutputStream().write("in".getBytes(StandardCharsets.UTF_8));
        String id = read(port.listen).strip();
        try (Handle data = open(port.base + "/" + id + "/data", OpenMode.READ)) {
          assertEquals("in", read(data));
        }
      }
    }
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    net.close();
    install(NetConfig.defaults().withIdleTimeout(Duration.ofMillis(200)));
    try (Port port = new Port();
        Socket client = port.connect()) {
      String dir = port.accept();
      Handle data = open(dir + "/data", OpenMode.READ_WRITE);
      client.getOutputStream().write('x');
      assertEquals("x", read(data));
      // Nothing moves: the node closes it; the client reads the end, the process gets EPIPE.
      assertEquals(null, readLine(client.getInputStream()));
      FsException e = assertThrows(FsException.class, () -> write(data, "late"));
      assertTrue(e.reason().contains("idle timeout"), e.reason());
    }
  }

  /**
   * The idle timeout counts from the last byte moved, whenever that was: a connection busy at first
   * closed only at the second timeout after its start, up to twice the timeout late.
   */
  @Test
  void theIdleTimeoutCountsFromTheLastByte() throws Exception {
    net.close();
    install(NetConfig.defaults().withIdleTimeout(Duration.ofSeconds(3)));
    try (Port port = new Port();
        Socket client = port.connect()) {
      Handle data = open(port.accept() + "/data", OpenMode.WRITE);
      Thread.sleep(500); // the node's reader is waiting for the peer by now
      long sent = System.nanoTime();
      write(data, "x\n");
      assertEquals("x", readLine(client.getInputStream()));
      assertEquals(null, readLine(client.getInputStream()));
      long idle = System.nanoTime() - sent;
      // 3 s after the byte, not 6 s after the connection (the next whole timeout); the margin
      // is for a busy machine.
      assertTrue(idle >= 2_900_000_000L && idle < 4_800_000_000L, idle / 1_000_000 + " ms");
      data.close();
    }
  }

  @Test
  void aPortInUseIsEaddrinuse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      FsException e =
          assertThrows(
              FsException.class,
              () -> open("/net/tcp/" + taken.getLocalPort() + "/listen", OpenMode.READ));
      assertEquals(Errno.EADDRINUSE, e.errno());
      assertTrue(e.reason().contains("in use"), e.reason());
    }
    FsException bad =
        assertThrows(FsException.class, () -> open("/net/tcp/70000/listen", OpenMode.READ));
    assertEquals(Errno.ENOENT, bad.errno());
  }

  @Test
  void theLastListenHandleUnbindsThePort() throws Exception {
    int free;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      free = probe.getLocalPort();
    }
    Handle listen = open("/net/tcp/" + free + "/listen", OpenMode.READ);
    try (Socket s = connect(free)) {
      assertNotNull(read(listen));
    }
    listen.close();
    assertTrue(status("/net/tcp/" + free + "/status").contains("listening: no\n"));
    assertThrows(java.net.ConnectException.class, () -> connect(free).close());
  }

  @Test
  void noGrantNoSocket() throws Exception {
    try (Port port = new Port();
        Socket a = port.connect();
        Socket b = port.connect()) {
      String mine = read(port.listen).strip();
      String other = read(port.listen).strip();
      String base = port.base;
      Proc p = parked(new Grants(List.of(Grant.parse(base + "/" + mine + ":rw"))));
      Dir view = node.treeFor(p);
      file(view, base + "/" + mine + "/data").open(OpenMode.READ_WRITE).close();
      for (String path : List.of(base + "/" + other + "/data", base + "/listen")) {
        FsException e = assertThrows(FsException.class, () -> file(view, path));
        assertEquals(Errno.ENOENT, e.errno(), path);
      }
      Proc none = parked(Grants.NONE);
      FsException e =
          assertThrows(FsException.class, () -> file(node.treeFor(none), base + "/listen"));
      assertEquals(Errno.ENOENT, e.errno());
    }
  }

  @Test
  void aProcessWaitingOnDataWakesForBytesAndCanBeKilled() throws Exception {
    try (Port port = new Port();
        Socket client = port.connect()) {
      String dir = port.accept();
      var got = new CompletableFuture<String>();
      Proc reader =
          node.spawn(
              "reader",
              self -> {
                try (Handle data = file(node.treeFor(self), dir + "/data").open(OpenMode.READ)) {
                  got.complete(read(data));
                  read(data); // waits again, until killed
                }
              },
              SpawnOptions.DEFAULT);
      client.getOutputStream().write("wake up".getBytes(StandardCharsets.UTF_8));
      assertEquals("wake up", got.get(30, TimeUnit.SECONDS));
      node.kill(reader.pid(), ExitReason.KILLED);
      assertEquals(ExitReason.KILLED, reader.awaitExit(30, TimeUnit.SECONDS));
      // Its handle closed as it ended: the connection went with it.
      assertEquals(-1, client.getInputStream().read());
    }
  }

  @Test
  void readableArrangesAWakeUp() throws Exception {
    try (Port port = new Port();
        Socket client = port.connect()) {
      String dir = port.accept();
      Handle data = open(dir + "/data", OpenMode.READ);
      assertTrue(data.notifies());
      // A poller asks, finds nothing, and parks with no timeout: only the arrival can wake it.
      var asked = new CompletableFuture<Boolean>();
      var woken = new CompletableFuture<Boolean>();
      Thread poller =
          Thread.ofVirtual()
              .start(() -> {
                Thread me = Thread.currentThread();
                asked.complete(data.readable(me));
                while (!data.readable(me)) {
                  java.util.concurrent.locks.LockSupport.park();
                }
                woken.complete(true);
              });
      assertFalse(asked.get(30, TimeUnit.SECONDS));
      client.getOutputStream().write('!');
      assertTrue(woken.get(30, TimeUnit.SECONDS));
      poller.join();
      byte[] one = new byte[1];
      ByteBuffer buf = ByteBuffer.wrap(one);
      assertEquals(1, data.read(buf, 0, false));
      assertArrayEquals(new byte[] {'!'}, one);
      FsException e = assertThrows(FsException.class, () -> data.read(buf.clear(), 0, false));
      assertEquals(Errno.EAGAIN, e.errno());
      data.close();
    }
  }

  private Proc parked(Grants grants) throws Exception {
    return node.spawn(
        "parked", self -> self.receive("stop", -1), SpawnOptions.DEFAULT.withGrants(grants));
  }
}
