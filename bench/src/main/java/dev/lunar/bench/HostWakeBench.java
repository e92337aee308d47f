package dev.lunar.bench;

import dev.lunar.kv.Durability;
import dev.lunar.kv.rocks.RocksKvStore;
import dev.lunar.kv.tree.KvDir;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Message;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Wake-up latency for messages from outside, beside computing processes: a platform thread (as the
 * FUSE mount's are) sends a process ({@code reader.wasm}) a message every {@code GAP_US}
 * microseconds, {@code MESSAGES} in all, and the process notes how late it read each one. With
 * {@code kv}, the process also puts a key through {@code /kv} after each message, into a synced
 * RocksDB store, so that it is woken by the store's committer thread too. Each round runs beside N
 * processes that count for ever ({@code spin.wasm}), for each N given, and prints {@code
 * hostwake.N.p50}, {@code .p99} and {@code .max} in microseconds.
 *
 * <p>{@code Bench hostwake MESSAGES GAP_US plain|kv SPINNERS...}
 */
final class HostWakeBench {
  private HostWakeBench() {}

  static void run(String[] args) throws Exception {
    int messages = Integer.parseInt(args[0]);
    long gapNanos = Long.parseLong(args[1]) * 1000;
    boolean kv = args[2].equals("kv");
    ModuleLoader loader = ModuleLoader.inMemory(false);
    LoadedModule spin = Guests.load(loader, "spin");
    LoadedModule reader = Guests.load(loader, "reader");
    Path dir = Files.createTempDirectory("lunar-hostwake");
    try (Node node = new Node(NodeConfig.defaults());
        RocksKvStore store =
            RocksKvStore.open(dir, Durability.SYNC, Thread.ofPlatform().factory())) {
      KvDir kvDir = new KvDir(store);
      var quiet = OutputStream.nullOutputStream();
      Tree.install(node, new ModuleCatalog(loader), quiet, quiet).mount("kv", caller -> kvDir);
      store.createBucket("b");
      String mode = kv ? "kv" : "plain";
      round(node, spin, reader, mode, Math.max(1, messages / 4), gapNanos, 2, null);
      for (int a = 3; a < args.length; a++) {
        int spinners = Integer.parseInt(args[a]);
        String name = "hostwake." + (kv ? "kv." : "") + spinners;
        round(node, spin, reader, mode, messages, gapNanos, spinners, name);
      }
    } finally {
      KvBench.delete(dir);
    }
  }

  private static void round(
      Node node,
      LoadedModule spin,
      LoadedModule reader,
      String mode,
      int messages,
      long gapNanos,
      int spinners,
      String name)
      throws Exception {
    List<Proc> hogs = new ArrayList<>();
    for (int i = 0; i < spinners; i++) {
      hogs.add(node.spawn(spin, Guests.spec(), SpawnOptions.DEFAULT));
    }
    Thread.sleep(500); // let the spinners get going
    var out = new ByteArrayOutputStream();
    Proc p =
        node.spawn(reader, Guests.spec(out, String.valueOf(messages), mode), SpawnOptions.DEFAULT);
    Thread sender =
        Thread.ofPlatform()
            .start(() -> {
              try {
                for (int i = 0; i < messages; i++) {
                  long sent = System.nanoTime();
                  byte[] body = Long.toString(sent).getBytes(StandardCharsets.US_ASCII);
                  node.send(p.pid(), new Message(0, null, body));
                  LockSupport.parkNanos(sent + gapNanos - System.nanoTime());
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    ExitReason reason = p.awaitExit();
    sender.join();
    for (Proc hog : hogs) {
      node.kill(hog.pid(), ExitReason.KILLED);
      hog.awaitExit();
    }
    if (!reason.isNormal()) {
      throw new IllegalStateException("reader beside " + spinners + " ended " + reason.text());
    }
    if (name == null) {
      return;
    }
    long[] late = out.toString(StandardCharsets.UTF_8).lines().mapToLong(Long::parseLong).toArray();
    Arrays.sort(late);
    Report.line(name + ".p50.lunar", late[late.length / 2], "us");
    Report.line(name + ".p99.lunar", late[late.length * 99 / 100], "us");
    Report.line(name + ".max.lunar", late[late.length - 1], "us");
  }
}
