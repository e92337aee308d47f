package dev.lunar.bench;

import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Message;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SpawnOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
    try (var kvNode = new KvNode(loader)) {
      String mode = kv ? "kv" : "plain";
      round(kvNode.node, spin, reader, mode, Math.max(1, messages / 4), gapNanos, 2, null);
      for (int a = 3; a < args.length; a++) {
        int spinners = Integer.parseInt(args[a]);
        String name = "hostwake." + (kv ? "kv." : "") + spinners;
        round(kvNode.node, spin, reader, mode, messages, gapNanos, spinners, name);
      }
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
    var out = new ByteArrayOutputStream();
    ExitReason reason;
    try (var hogs = new Spinners(node, spin, spinners, 500)) {
      Proc p =
          node.spawn(
              reader, Guests.spec(out, String.valueOf(messages), mode), SpawnOptions.DEFAULT);
      Thread sender = Thread.ofPlatform().start(() -> send(node, p.pid(), messages, gapNanos));
      reason = p.awaitExit();
      sender.join();
    }
    if (!reason.isNormal()) {
      throw new IllegalStateException("reader beside " + spinners + " ended " + reason.text());
    }
    if (name == null) {
      return;
    }
    Report.latencies(name, out.toString(StandardCharsets.UTF_8));
  }

  /** Sends {@code pid} its stamp, {@code System.nanoTime()}, every {@code gapNanos}. */
  private static void send(Node node, long pid, int messages, long gapNanos) {
    try {
      for (int i = 0; i < messages; i++) {
        long sent = System.nanoTime();
        node.send(
            pid, new Message(0, null, Long.toString(sent).getBytes(StandardCharsets.US_ASCII)));
        LockSupport.parkNanos(sent + gapNanos - System.nanoTime());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
