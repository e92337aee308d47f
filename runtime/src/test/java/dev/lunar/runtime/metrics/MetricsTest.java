package dev.lunar.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Paths;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Message;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.SendException;
import dev.lunar.runtime.proc.SpawnOptions;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} over a live node: counts that move with what the node does, and HTTP. */
class MetricsTest {
  private final Node node = new Node(NodeConfig.defaults().withLimits(16, 4));
  private final Metrics metrics = new Metrics().add(node.stats());

  MetricsTest() {
    Tree.install(
            node,
            new ModuleCatalog(ModuleLoader.inMemory(false)),
            OutputStream.nullOutputStream(),
            OutputStream.nullOutputStream())
        .mount("metrics", caller -> new MetricsFile(metrics));
  }

  @AfterEach
  void close() {
    node.close();
  }

  private String readMetricsFile() throws FsException {
    File f = (File) Namespace.walk(node.hostTree(), Paths.split("/metrics"));
    try (Handle h = f.open(OpenMode.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      int n = h.read(buf, 0, false);
      assertEquals(f.stat().size(), n, "stat's size is what a read gives");
      return new String(buf.array(), 0, n, StandardCharsets.UTF_8);
    }
  }

  /** Sample lines by name with labels, e.g. {@code lunar_exits_total{reason="killed"}}. */
  private static Map<String, Long> samples(String text) {
    Map<String, Long> out = new HashMap<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        int sp = line.lastIndexOf(' ');
        out.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
      }
    }
    return out;
  }

  @Test
  void countsMoveWithSpawnsExitsAndMessages() throws Exception {
    Map<String, Long> before = samples(readMetricsFile());
    assertEquals(0L, before.get("lunar_spawns_total"));

    Proc waiter = node.spawn("waiter", self -> self.receive("stop", -1), SpawnOptions.DEFAULT);
    Proc crasher =
        node.spawn(
            "crasher",
            self -> {
              throw new IllegalStateException("boom");
            },
            SpawnOptions.DEFAULT);
    crasher.awaitExit();
    node.send(waiter.pid(), new Message(0, "hello", "12345".getBytes(StandardCharsets.UTF_8)));
    assertThrows(SendException.class, () -> node.send(9999, new Message(0, null, new byte[1])));

    Map<String, Long> now = samples(readMetricsFile());
    assertEquals(2L, now.get("lunar_spawns_total"));
    assertEquals(1L, now.get("lunar_messages_total"));
    assertEquals(5L, now.get("lunar_message_bytes_total"));
    assertEquals(1L, now.get("lunar_messages_refused_total"));
    assertEquals(1L, now.get("lunar_processes{state=\"waiting\"}") + 0, "the waiter is parked");

    node.kill(waiter.pid(), ExitReason.KILLED);
    waiter.awaitExit();
    Map<String, Long> after = samples(readMetricsFile());
    assertEquals(1L, after.get("lunar_exits_total{reason=\"killed\"}"));
    assertEquals(1L, after.get("lunar_exits_total{reason=\"trap\"}"));
    assertEquals(0L, after.get("lunar_processes{state=\"waiting\"}"));
  }

  @Test
  void theFileIsReadOnly() throws Exception {
    File f = (File) Namespace.walk(node.hostTree(), Paths.split("/metrics"));
    FsException e = assertThrows(FsException.class, () -> f.open(OpenMode.WRITE));
    assertEquals(Errno.EACCES, e.errno());
  }

  @Test
  void everyFamilyHasHelpAndType() throws Exception {
    String text = readMetricsFile();
    for (String line : text.split("\n")) {
      if (!line.startsWith("#")) {
        String name = line.split("[{ ]")[0];
        assertTrue(text.contains("# TYPE " + name + " "), "TYPE for " + name);
        assertTrue(text.contains("# HELP " + name + " "), "HELP for " + name);
      }
    }
  }

  @Test
  void httpServesTheSameText() throws Exception {
    node.spawn("waiter", self -> self.receive("stop", -1), SpawnOptions.DEFAULT);
    try (MetricsHttp http = MetricsHttp.start(metrics, 0);
        HttpClient client = HttpClient.newHttpClient()) {
      var ok =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ok.statusCode());
      assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertEquals(1L, samples(ok.body()).get("lunar_spawns_total"));
      var missing =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/other"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode());
    }
  }
}
