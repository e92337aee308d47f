package dev.lunar.cli;

import dev.lunar.fs.fuse.FuseMount;
import dev.lunar.fs.fuse.FuseOptions;
import dev.lunar.kv.Durability;
import dev.lunar.kv.KvStore;
import dev.lunar.kv.rocks.RocksKvStore;
import dev.lunar.kv.tree.KvDir;
import dev.lunar.kv.tree.KvMetrics;
import dev.lunar.runtime.DataDir;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.Threads;
import dev.lunar.runtime.metrics.Metrics;
import dev.lunar.runtime.metrics.MetricsFile;
import dev.lunar.runtime.metrics.MetricsHttp;
import dev.lunar.runtime.metrics.Prometheus;
import dev.lunar.runtime.net.ChatService;
import dev.lunar.runtime.net.Net;
import dev.lunar.runtime.net.NetConfig;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.tree.Tree;
import dev.lunar.runtime.web.WebConfig;
import dev.lunar.runtime.web.WebEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A node with everything {@code lunar node} gives it: {@code /bin} with the examples and {@code
 * --modules}, {@code /metrics}, the tree mounted on the host. Parts are started in order and closed
 * in reverse; a part that fails to start closes those before it.
 *
 * <p>Concurrency contract: {@link #start} and {@link #close} are called once each, by one thread;
 * close is idempotent.
 */
final class LiveNode implements AutoCloseable {
  /** What {@code lunar node}'s options say. */
  record Settings(
      Path mount,
      DataDir data,
      List<Path> modules,
      int metricsPort,
      boolean allowOther,
      boolean relaxedDurability,
      int chatPort,
      int webPort) {
    /** A port that is off. */
    static final int OFF = -1;
  }

  /** A node that could not start, for a reason the user can fix. */
  static final class StartException extends Exception {
    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Deque<AutoCloseable> parts = new ArrayDeque<>();
  private final Metrics metrics = new Metrics();
  private Node node;
  private FuseMount mount;
  private boolean closed;

  private LiveNode() {}

  static LiveNode start(Settings settings, PrintStream log) throws StartException {
    var live = new LiveNode();
    try {
      live.assemble(settings, log);
      return live;
    } catch (StartException e) {
      live.close();
      throw e;
    } catch (RuntimeException e) {
      live.close();
      throw e;
    }
  }

  private void assemble(Settings settings, PrintStream log) throws StartException {
    // Closed in reverse: the mount goes first, the store last, after every process has ended.
    try {
      FuseMount.checkMountPoint(settings.mount()); // before --data is made: a refusal leaves none
    } catch (IOException e) {
      throw new StartException("--mount " + settings.mount() + ": " + e.getMessage(), e);
    }
    try {
      parts.push(DataLock.take(settings.data().root()));
    } catch (IOException e) {
      throw new StartException("--data: " + e.getMessage(), e);
    }
    KvDir kv = new KvDir(openKv(settings));
    node = new Node(NodeConfig.defaults());
    parts.push(node);
    metrics.add(node.stats());
    ModuleLoader loader = Modules.loader(settings.data(), false);
    Tree tree;
    try {
      tree = Tree.install(node, Modules.catalog(loader, settings.modules()), log, log);
    } catch (ModuleException e) {
      throw new StartException(e.getMessage(), e);
    }
    tree.mount("kv", caller -> kv).mount("metrics", caller -> new MetricsFile(metrics));
    Net net = Net.install(tree, NetConfig.defaults());
    parts.push(net);
    metrics.add(out -> kvMetrics(out, kv));
    if (settings.metricsPort() >= 0) {
      try {
        parts.push(MetricsHttp.start(metrics, settings.metricsPort()));
      } catch (IOException e) {
        throw new StartException(
            "--metrics-port " + settings.metricsPort() + ": " + e.getMessage(), e);
      }
    }
    FuseOptions options =
        FuseOptions.defaults()
            .withAllowOther(settings.allowOther())
            .withUnmountOnExit(false)
            .withThreads(Threads.platformFactory("lunar-fuse"));
    try {
      mount = FuseMount.mount(node.hostTree(), settings.mount(), options);
    } catch (IOException e) {
      throw new StartException("--mount " + settings.mount() + ": " + e.getMessage(), e);
    }
    parts.push(mount);
    metrics.add(out -> fuseMetrics(out, mount));
    startDemos(settings, loader, net, log);
  }

  /** The chat on its port and the web demo on its own, unless they are off. */
  private void startDemos(Settings settings, ModuleLoader loader, Net net, PrintStream log)
      throws StartException {
    if (settings.chatPort() != Settings.OFF) {
      try {
        ChatService chat = ChatService.start(node, net, settings.chatPort(), log);
        parts.push(chat);
        log.println(
            "lunar node: chat on port " + chat.port() + " (try: nc localhost " + chat.port() + ")");
      } catch (IOException e) {
        throw new StartException("--chat-port " + settings.chatPort() + ": " + e.getMessage(), e);
      }
    }
    if (settings.webPort() != Settings.OFF) {
      try {
        LoadedModule hello = loader.load("webhello", Examples.find("webhello"));
        WebEndpoint web =
            WebEndpoint.start(node, hello, WebConfig.on(settings.webPort()).withStderr(log));
        parts.push(web);
        log.println(
            "lunar node: web demo on port "
                + web.port()
                + " (try: curl localhost:"
                + web.port()
                + ")");
      } catch (IOException | ModuleException e) {
        throw new StartException("--web-port " + settings.webPort() + ": " + e.getMessage(), e);
      }
    }
  }

  private static void fuseMetrics(Prometheus out, FuseMount mount) {
    out.family("lunar_fuse_operations_total", "counter", "Requests served by the FUSE mount.")
        .samples("lunar_fuse_operations_total", "op", mount.stats());
  }

  private KvStore openKv(Settings settings) throws StartException {
    Durability durability = settings.relaxedDurability() ? Durability.NO_SYNC : Durability.SYNC;
    try {
      RocksKvStore.loadLibrary(settings.data().nativeLibraries());
      KvStore store =
          RocksKvStore.open(
              settings.data().kv(), durability, Threads.platformFactory("lunar-kv-commit"));
      parts.push(store);
      return store;
    } catch (IOException e) {
      throw new StartException(
          "key-value store in " + settings.data().kv() + ": " + e.getMessage(), e);
    }
  }

  private static void kvMetrics(Prometheus out, KvDir kv) {
    KvMetrics m = kv.metrics();
    out.family("lunar_kv_operations_total", "counter", "Key-value operations through /kv, by kind.")
        .sample("lunar_kv_operations_total", "op", "get", m.gets())
        .sample("lunar_kv_operations_total", "op", "put", m.puts())
        .sample("lunar_kv_operations_total", "op", "delete", m.deletes())
        .sample("lunar_kv_operations_total", "op", "rename", m.renames())
        .sample("lunar_kv_operations_total", "op", "list", m.lists())
        .family("lunar_kv_bytes_total", "counter", "Bytes of values through /kv, by direction.")
        .sample("lunar_kv_bytes_total", "direction", "in", m.bytesIn())
        .sample("lunar_kv_bytes_total", "direction", "out", m.bytesOut());
  }

  Node node() {
    return node;
  }

  Metrics metrics() {
    return metrics;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!parts.isEmpty()) {
      try {
        parts.pop().close();
      } catch (Exception e) {
        System.err.println("lunar node: while stopping: " + e);
      }
    }
  }
}
