package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/lunar node} as an operator runs it: a real FUSE mount driven by real bash, the
 * client commands, a SIGTERM, a {@code kill -9} and a restart that keeps the KV store.
 */
class NodeIT {
  @TempDir Path tmp;

  private LiveMount node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private LiveMount.Result ok(String script) throws Exception {
    LiveMount.Result r = node.bash(script);
    assertEquals(0, r.code(), script + "\n" + r + "\n--- node log\n" + node.log());
    return r;
  }

  @Test
  void theTreeFromBash() throws Exception {
    node = new LiveMount(tmp).start("--no-demos");
    assertEquals("bin\nkv\nmetrics\nnames\nnet\nproc\n", ok("ls").out());

    // Spawn through the clone file, as PROTOCOL.md shows it, then message, inspect and kill.
    String pid =
        ok("exec 3<>proc/new; echo 'wordcount serve' >&3; read -r pid <&3; echo $pid")
            .out()
            .strip();
    assertTrue(pid.matches("\\d+"), pid);
    ok(
        "for i in $(seq 50); do [[ -e names/wordcount ]] && break; sleep 0.1; done; [[ -e names/wordcount ]]");
    ok("echo 'the cat and the hat' > names/wordcount/mailbox");
    assertEquals(
        "2\n",
        ok("for i in $(seq 100); do [[ $(cat kv/words/the 2>/dev/null) == 2 ]] && break; sleep 0.1; done; cat kv/words/the")
            .out());
    assertTrue(ok("ls proc").out().contains(pid + "\n"));
    String status = ok("cat proc/" + pid + "/status").out();
    assertTrue(status.contains("module: wordcount") && status.contains("state: waiting"), status);
    assertEquals(
        "killed\n", ok("echo kill > proc/" + pid + "/ctl; cat proc/" + pid + "/exit").out());

    // Bad input: a clear errno from bash, nothing changed.
    LiveMount.Result bad = node.bash("echo --frobnicate hello > proc/new");
    assertEquals(1, bad.code(), bad.toString());
    assertTrue(bad.err().contains("Invalid argument"), bad.err());
    assertTrue(node.bash("cat proc/999999/status").err().contains("No such file or directory"));

    // Deploy by cp; an invalid module is refused at close and never appears.
    ok("cp bin/hello.wasm " + tmp + "/h.wasm && cp " + tmp + "/h.wasm bin/mine.wasm");
    assertTrue(ok("ls bin").out().contains("mine.wasm\n"));
    // cp checks close(2), where the module is validated (bash's `echo >` ignores close errors).
    LiveMount.Result junk =
        node.bash("echo junk > " + tmp + "/junk && cp " + tmp + "/junk bin/junk.wasm");
    assertTrue(junk.code() != 0 && junk.err().contains("Invalid argument"), junk.toString());
    assertTrue(!ok("ls bin").out().contains("junk.wasm"));

    // The key-value store.
    ok("mkdir kv/b && echo v1 > kv/b/k && mv kv/b/k kv/b/k2");
    assertEquals("k2\n", ok("ls kv/b").out());
    assertEquals("v1\n", ok("cat kv/b/k2").out());
    assertEquals(3, Integer.parseInt(ok("stat -c %s kv/b/k2").out().strip()));
    assertTrue(node.bash("rmdir kv/b").err().contains("Directory not empty"));
    ok("rm kv/b/k2 && rmdir kv/b");

    assertTrue(ok("cat metrics").out().contains("lunar_spawns_total "));
  }

  @Test
  void theClientCommands() throws Exception {
    node = new LiveMount(tmp).start("--no-demos");
    String pid = ok("lunar spawn counter serve").out().strip();
    ok(
        "for i in $(seq 50); do [[ -e names/counter ]] && break; sleep 0.1; done; [[ -e names/counter ]]");
    assertTrue(pid.matches("\\d+"), pid);
    String ps = ok("lunar ps").out();
    assertTrue(
        ps.contains("counter") && ps.lines().anyMatch(l -> l.strip().startsWith(pid + " ")), ps);
    // A long name is cut in the table, whole without the header (for scripts).
    String named = ok("lunar spawn --name a-name-longer-than-sixteen sleep 60000").out().strip();
    String table = ok("lunar ps").out();
    assertTrue(table.contains(" a-name-longer-t… "), table);
    assertTrue(
        ok("lunar ps --no-header")
            .out()
            .lines()
            .anyMatch(l -> l.matches(" *" + named + " .* a-name-longer-than-sixteen sleep .*")));
    ok("lunar kill " + named);
    ok("lunar send counter inc && lunar send " + pid + " inc");
    LiveMount.Result empty = node.bash("lunar send counter < /dev/null");
    assertEquals(2, empty.code(), empty.toString());
    assertEquals("lunar: an empty message cannot be sent through the mount\n", empty.err());
    LiveMount.Result refused = node.bash("lunar spawn no-such-module");
    assertEquals(1, refused.code(), refused.toString());
    assertTrue(refused.err().contains("no-such-module"), refused.err());
    ok("lunar kill " + pid);
    assertEquals("killed\n", ok("cat proc/" + pid + "/exit").out());
    assertEquals(1, node.bash("lunar kill " + pid).code());

    ok("echo -n hello | lunar kv put greetings en && lunar kv put greetings fr bonjour");
    assertEquals("hello", ok("lunar kv get greetings en").out());
    assertEquals("en\nfr\n", ok("lunar kv ls greetings").out());
    ok("lunar kv rm greetings en");
    assertEquals(1, node.bash("lunar kv get greetings en").code());
    // Names are checked as the store checks them, so none leads out of /kv, and a bad key
    // makes no bucket.
    for (String bad :
        List.of(
            "lunar kv get .. metrics",
            "lunar kv ls ..",
            "lunar kv get greetings ../../metrics",
            "lunar kv put greetings ../../names/counter/mailbox inc",
            "lunar kv put other k/x v")) {
      LiveMount.Result r = node.bash(bad);
      assertEquals(1, r.code(), bad);
      assertEquals("", r.out(), bad);
      assertTrue(r.err().startsWith("lunar: a "), bad + ": " + r.err());
    }
    assertEquals("greetings\n", ok("lunar kv ls").out());
    assertEquals(
        "lunar: " + node.mount + "/kv/greetings: Directory not empty\n",
        node.bash("lunar kv rm greetings").err());
    // The first refresh counts since each process started: spin, running flat out, leads the
    // idle counter started before it (a lower pid, so first when nothing is counted).
    String idle = ok("lunar spawn counter serve").out().strip();
    String spin = ok("lunar spawn spin").out().strip();
    String top = ok("lunar top -b -n 1").out();
    String first =
        top.lines().dropWhile(l -> !l.strip().startsWith("PID")).skip(1).findFirst().orElse("");
    assertTrue(first.strip().startsWith(spin + " "), top);
    ok("lunar kill " + spin + " && lunar kill " + idle);
  }

  @Test
  void aKilledNodeLeavesNothingBehindAndKeepsItsData() throws Exception {
    node = new LiveMount(tmp).start("--no-demos");
    ok("mkdir kv/keep && for i in $(seq 20); do echo value$i > kv/keep/k$i; done");
    node.kill9();
    // The mount is stale now; the next start must clear it.
    node = new LiveMount(tmp).start("--no-demos");
    assertEquals("value20\n", ok("cat kv/keep/k20").out());
    assertEquals(20, ok("ls kv/keep").out().lines().count());
    // RocksDB's library is loaded from one copy in the data directory, replaced at each start,
    // not from a fresh file in /tmp that the kill would have left there.
    try (var files = Files.list(tmp.resolve("data/cache/native"))) {
      List<String> names = files.map(f -> f.getFileName().toString()).toList();
      assertTrue(names.size() == 1 && names.get(0).startsWith("librocksdbjni"), names.toString());
    }
    assertEquals(0, node.stop(), node.log());
    assertTrue(Files.list(node.mount).findAny().isEmpty(), "unmounted after SIGTERM");
  }

  /** What kvwriter writes as the value of key {@code kI}. */
  private static String expectedValue(long i) {
    var v = new StringBuilder("k" + i + " ");
    long body = i * 977 % 60000;
    for (long j = 0; j < body; j++) {
      v.append((char) ('a' + (i + j) % 26));
    }
    return v.append(" end").toString();
  }

  @Test
  void guestsWritingWhileTheNodeIsKilledLoseNoAcknowledgedValue() throws Exception {
    node = new LiveMount(tmp).start("--no-demos");
    // Three guests write at once; each prints "acked BUCKET/kI" (into the node's log) after
    // close() returned.
    for (String bucket : new String[] {"w1", "w2", "w3"}) {
      ok("exec 3<>proc/new; echo 'kvwriter " + bucket + " 100000' >&3; exec 3>&-");
    }
    ok(
        "for i in $(seq 600); do (( $(ls kv/w1 kv/w2 kv/w3 2>/dev/null | wc -l) > 150 )) && break;"
            + " sleep 0.1; done");
    node.kill9();
    String log = node.log();
    var acked = log.lines().filter(l -> l.startsWith("acked w")).map(l -> l.substring(6)).toList();
    assertTrue(acked.size() > 30, "few acks before the kill:\n" + log);

    node = new LiveMount(tmp).start("--no-demos");
    // Every acknowledged key is there, whole, in the bucket of the writer that acknowledged it;
    // every key there at all (acknowledged or not: a put may land before its ack) is whole.
    for (String bucket : new String[] {"w1", "w2", "w3"}) {
      for (String key : ok("ls kv/" + bucket).out().lines().toList()) {
        long i = Long.parseLong(key.substring(1));
        String value = Files.readString(node.mount.resolve("kv/" + bucket + "/" + key));
        assertEquals(expectedValue(i), value, bucket + "/" + key + " is torn");
      }
    }
    for (String path : acked) {
      Path file = node.mount.resolve("kv/" + path);
      assertTrue(Files.exists(file), "acknowledged " + path + " is gone");
      long i = Long.parseLong(path.substring(path.indexOf("/k") + 2));
      assertEquals(expectedValue(i), Files.readString(file), path);
    }
  }

  /**
   * A host program writing to a connection whose peer reads nothing waits for room; SIGTERM still
   * stops the node at once, and the writer gets an error rather than hanging unkillable.
   */
  @Test
  void aHostWriteWaitingOnASlowPeerDoesNotHoldUpTheStop() throws Exception {
    node = new LiveMount(tmp).start("--no-demos");
    int port = freePort();
    String net = "net/tcp/" + port;
    Process writer = onFirstConnection(net, "head -c 50000000 /dev/zero >");
    try (var peer = connectSlowPeer(port)) {
      String id = new String(writer.getInputStream().readNBytes(1));
      assertTrue(id.matches("\\d"), "no connection id: " + id);
      // Wait until the sending has stalled (the peer's buffers full): the writer is blocked.
      String before = "";
      for (int i = 0; i < 300; i++) {
        String sent = node.bash("grep ^sent: " + net + "/*/status").out();
        if (sent.equals(before) && !sent.startsWith("sent: 0")) {
          break;
        }
        before = sent;
        Thread.sleep(200);
      }
      assertEquals(0, node.stop(), "the node did not stop on SIGTERM:\n" + node.log());
      assertTrue(
          writer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS),
          "the writer is still blocked after the node stopped");
      assertTrue(writer.exitValue() != 0);
    } finally {
      writer.destroyForcibly();
    }
  }

  /**
   * select(2) for writing from the host: a connection whose send queue is full is not writable (a
   * select with a timeout times out), and a select that waits is woken once the peer reads.
   */
  @Test
  void selectForWritingWaitsForRoomOnAConnection() throws Exception {
    node = new LiveMount(tmp).start("--no-demos");
    int port = freePort();
    String net = "net/tcp/" + port;
    String writer =
        String.join(
            "\n",
            "import os, select, sys",
            "fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)",
            "chunk = b'x' * 16384",
            "for round in range(1000):",
            "    try:",
            "        while True: os.write(fd, chunk)",
            "    except BlockingIOError: pass",
            "    if not select.select([], [fd], [], 0.3)[1]: break",
            "    os.write(fd, chunk)  # said writable: it must go",
            "else: sys.exit('select always said writable')",
            "print('stalled', flush=True)",
            "print('writable' if select.select([], [fd], [], 30)[1] else 'timed out', flush=True)",
            "os.write(fd, chunk)");
    Files.writeString(tmp.resolve("writer.py"), writer);
    Process p = onFirstConnection(net, "exec python3 " + tmp.resolve("writer.py"));
    try (var peer = connectSlowPeer(port);
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
      assertTrue(out.readLine().matches("\\d+"));
      assertEquals("stalled", out.readLine());
      var drained =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
              return peer.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      assertEquals("writable", out.readLine());
      assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(0, p.exitValue());
      assertTrue(drained.get(60, java.util.concurrent.TimeUnit.SECONDS) > 0);
    } finally {
      p.destroyForcibly();
    }
  }

  private static int freePort() throws java.io.IOException {
    try (var probe = new java.net.ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  /**
   * Runs bash in the mount: it listens on {@code net} (net/tcp/PORT), prints the first connection's
   * id, then runs {@code command} with that connection's data file as its last word.
   */
  private Process onFirstConnection(String net, String command) throws java.io.IOException {
    String script =
        "exec 3<" + net + "/listen; read -r id <&3; echo $id; " + command + " " + net + "/$id/data";
    return new ProcessBuilder("bash", "-c", script)
        .directory(node.mount.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** A socket that reads nothing, connected once {@code port} listens. */
  private static java.net.Socket connectSlowPeer(int port) throws Exception {
    for (int i = 0; ; i++) {
      var peer = new java.net.Socket();
      peer.setReceiveBufferSize(4096);
      try {
        peer.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        return peer;
      } catch (java.net.ConnectException notYet) {
        peer.close();
        if (i == 200) {
          throw notYet;
        }
        Thread.sleep(50); // the writer has not opened listen yet
      }
    }
  }

  @Test
  void aMountPointReachedThroughASymbolicLinkWorks() throws Exception {
    Path real = Files.createDirectory(tmp.resolve("real"));
    Files.createSymbolicLink(tmp.resolve("mnt"), real);
    node = new LiveMount(tmp).start("--no-demos");
    assertTrue(node.log().contains("tree mounted at " + real), node.log());
    assertEquals("bin\nkv\nmetrics\nnames\nnet\nproc\n", ok("ls").out());
    assertEquals(0, node.stop());
    assertEquals(List.of(), Files.list(real).toList());
  }

  /**
   * A second node on the same --data is refused, naming the first, before it touches anything
   * there: the first node's copy of RocksDB's library stays, and its store keeps working.
   */
  @Test
  void aSecondNodeOnTheSameDataIsRefusedAndHarmsNothing() throws Exception {
    node = new LiveMount(tmp).start("--no-demos");
    ok("mkdir kv/b && echo v1 > kv/b/k");
    Path natives = node.data.resolve("cache/native");
    List<Path> libraries;
    try (var files = Files.list(natives)) {
      libraries = files.toList();
    }
    assertEquals(1, libraries.size(), libraries.toString());
    Path other = Files.createDirectories(tmp.resolve("other"));
    Process second =
        new ProcessBuilder(
                LiveMount.ROOT.resolve("scripts/lunar").toString(),
                "node",
                "--no-demos",
                "--mount",
                other.toString(),
                "--data",
                node.data.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(second.getInputStream().readAllBytes());
    assertEquals(2, second.waitFor(), out);
    assertEquals(
        "lunar node: --data: "
            + node.data
            + " is in use by another node (pid "
            + node.pid()
            + ")\n",
        out);
    assertTrue(Files.exists(libraries.get(0)), "the running node's library copy was removed");
    assertEquals("v1\n", ok("cat kv/b/k").out());
    ok("echo v2 > kv/b/k");
    assertEquals(0, node.stop());
  }

  @Test
  void aMissingMountPointIsRefused() throws Exception {
    Process p =
        new ProcessBuilder(
                LiveMount.ROOT.resolve("scripts/lunar").toString(),
                "node",
                "--no-demos",
                "--mount",
                tmp.resolve("nowhere").toString(),
                "--data",
                tmp.resolve("data").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(2, p.waitFor(), out);
    assertTrue(out.contains("nowhere") && out.lines().count() == 1, out);
    assertTrue(!Files.exists(tmp.resolve("nowhere")), "nothing is created");
    assertTrue(!Files.exists(tmp.resolve("data")), "nothing is created");
  }

  @Test
  void aNonEmptyMountPointIsRefused() throws Exception {
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Files.writeString(mnt.resolve("precious"), "x");
    var builder =
        new ProcessBuilder(
                LiveMount.ROOT.resolve("scripts/lunar").toString(),
                "node",
                "--mount",
                mnt.toString(),
                "--data",
                tmp.resolve("data").toString())
            .redirectErrorStream(true);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(2, p.waitFor());
    assertTrue(out.contains("not empty"), out);
    assertEquals("x", Files.readString(mnt.resolve("precious")));
    assertTrue(!Files.exists(tmp.resolve("data")), "no --data is made");
  }
}
