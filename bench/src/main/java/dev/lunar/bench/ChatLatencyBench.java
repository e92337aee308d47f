package dev.lunar.bench;

import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.net.ChatService;
import dev.lunar.runtime.net.Net;
import dev.lunar.runtime.net.NetConfig;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Broadcast latency of the telnet chat demo: {@code CLIENTS} socket clients join one room, then one
 * of them says {@code MESSAGES} lines, one every 100 ms, and every other client notes when each
 * line reaches it. The chat runs on a node in this JVM; clients are virtual threads on blocking
 * sockets, so they share the machine with it.
 *
 * <p>Prints {@code chat.broadcast.p50}, {@code .p99}, {@code .max} in ms, and the time the joins
 * took.
 */
final class ChatLatencyBench {
  private ChatLatencyBench() {}

  static void run(String[] args) throws Exception {
    int clients = Integer.parseInt(args[0]);
    int messages = Integer.parseInt(args[1]);
    var loader = ModuleLoader.inMemory(false);
    try (Node node = new Node(NodeConfig.defaults())) {
      var catalog = new ModuleCatalog(loader);
      catalog.bundle("chat", () -> resource("/lunar/examples/chat.wasm"));
      Tree tree = Tree.install(node, catalog, System.err, System.err);
      try (Net net = Net.install(tree, NetConfig.defaults().withMaxConnections(clients + 16));
          ChatService chat = ChatService.start(node, net, 0, System.err)) {
        measure(chat.port(), clients, messages);
      }
    }
  }

  private static void measure(int port, int clients, int messages) throws Exception {
    long[] sentAt = new long[messages];
    var latencies = new ConcurrentLinkedQueue<Long>();
    var joined = new CountDownLatch(clients);
    var received = new AtomicInteger();
    List<Socket> sockets = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
      sockets.add(s);
      Thread.ofVirtual()
          .start(() -> {
            try {
              var in =
                  new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
              byte[] join = "/join bench\n".getBytes(StandardCharsets.UTF_8);
              s.getOutputStream().write(join);
              String line;
              while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                if (line.startsWith("*** you are in #bench")) {
                  joined.countDown();
                } else if (line.contains("did not answer")) { // a busy lobby: ask again
                  s.getOutputStream().write(join);
                }
                int at = line.indexOf("> m ");
                if (at > 0) {
                  int seq = Integer.parseInt(line.substring(at + 4).strip());
                  latencies.add(now - sentAt[seq]);
                  received.incrementAndGet();
                }
              }
            } catch (IOException e) {
              // closed at the end
            }
          });
    }
    if (!joined.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException(joined.getCount() + " clients did not join");
    }
    double joinSeconds = (System.nanoTime() - t0) / 1e9;
    // Let the join notices (each join is announced to everyone there) drain before timing.
    Thread.sleep(2000);
    OutputStream speaker = sockets.get(0).getOutputStream();
    for (int seq = 0; seq < messages; seq++) {
      sentAt[seq] = System.nanoTime();
      speaker.write(("m " + seq + "\n").getBytes(StandardCharsets.UTF_8));
      Thread.sleep(100);
    }
    long expected = (long) messages * (clients - 1);
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        received.get() < expected && System.nanoTime() < end; ) {
      Thread.sleep(10);
    }
    for (Socket s : sockets) {
      s.close();
    }
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length < expected) {
      System.err.println("chat bench: " + (expected - sorted.length) + " deliveries missing");
    }
    System.out.printf("chat.join.lunar.c%d %.1f s%n", clients, joinSeconds);
    System.out.printf("chat.broadcast.p50.lunar.c%d %.1f ms%n", clients, pct(sorted, 0.50));
    System.out.printf("chat.broadcast.p99.lunar.c%d %.1f ms%n", clients, pct(sorted, 0.99));
    System.out.printf(
        "chat.broadcast.max.lunar.c%d %.1f ms%n", clients, sorted[sorted.length - 1] / 1e6);
    System.out.printf("chat.missing.lunar.c%d %d deliveries%n", clients, expected - sorted.length);
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  private static byte[] resource(String path) {
    try (InputStream in = ChatLatencyBench.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no " + path + " on the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
