package dev.lunar.cli;

import dev.lunar.runtime.DataDir;
import dev.lunar.runtime.Threads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lunar node}: a long-running node with its tree mounted on the host. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Run a node until SIGTERM or Ctrl-C, with its tree FUSE-mounted at --mount: drive it with"
          + " ls, cat, echo, cp and the client commands (lunar ps, spawn, send, kill, kv, top).",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by SIGTERM or Ctrl-C, the mount removed",
      "2:bad input: a missing or non-empty mount point, a bad option, a port in use, a --data"
          + " directory another node holds",
      "70:an internal error in Lunar"
    })
final class NodeCommand implements Callable<Integer> {
  private final Io io;

  @Option(
      names = "--mount",
      paramLabel = "DIR",
      required = true,
      description = "An existing, empty directory to mount the tree at.")
  Path mount;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Data directory: the KV store and the compiled-module cache (default: $LUNAR_DATA,"
              + " else $XDG_DATA_HOME/lunar, else ~/.local/share/lunar).")
  Path data;

  @Option(
      names = "--modules",
      paramLabel = "DIR",
      description = "Add the .wasm files in DIR to /bin (repeatable).")
  List<Path> modules = new ArrayList<>();

  @Option(
      names = "--metrics-port",
      paramLabel = "N",
      description = "Also serve /metrics over HTTP on port N (default: off).")
  int metricsPort = -1;

  @Option(
      names = "--allow-other",
      description = "Let other users see the mount (FUSE allow_other); by default only yours.")
  boolean allowOther;

  @Option(
      names = "--relaxed-durability",
      description =
          "KV writes return once in the operating system's hands, before the disk confirms them:"
              + " they survive a crash of the node, not of the machine (docs/KV.md).")
  boolean relaxed;

  @Option(
      names = "--chat-port",
      paramLabel = "N",
      description = "Port of the telnet chat demo (default ${DEFAULT-VALUE}; 0: any free port).")
  int chatPort = 2323;

  @Option(
      names = "--web-port",
      paramLabel = "N",
      description =
          "Port of the web demo, a process per request, on localhost (default ${DEFAULT-VALUE};"
              + " 0: any free port).")
  int webPort = 8080;

  @Option(names = "--no-chat", description = "Do not run the chat demo.")
  boolean noChat;

  @Option(names = "--no-web", description = "Do not run the web demo.")
  boolean noWeb;

  @Option(names = "--no-demos", description = "Run neither demo: --no-chat --no-web.")
  boolean noDemos;

  @Option(names = "--debug", description = "Show stack traces of internal errors.")
  boolean debug;

  NodeCommand(Io io) {
    this.io = io;
  }

  /**
   * The mount point with symbolic links resolved, as /proc/mounts will name it (and as fusermount
   * checks it); as given when it cannot be resolved (missing, or a dead mount): the start then says
   * which.
   */
  private static Path realPath(Path dir) {
    Path path = dir.toAbsolutePath().normalize();
    for (int hops = 0; hops < 40; hops++) { // as many links as Linux follows
      try {
        return path.toRealPath();
      } catch (java.io.IOException e) {
        // A link to a dead mount: its target cannot be resolved, but the link can be read.
        try {
          if (!Files.isSymbolicLink(path)) {
            return path;
          }
          path = path.resolveSibling(Files.readSymbolicLink(path)).normalize();
        } catch (java.io.IOException unreadable) {
          return path;
        }
      }
    }
    return path;
  }

  @Override
  public Integer call() throws Exception {
    io.debug(debug);
    var settings =
        new LiveNode.Settings(
            realPath(mount),
            data != null ? new DataDir(data) : DataDir.fromEnvironment(io.env),
            modules,
            metricsPort,
            allowOther,
            relaxed,
            noChat || noDemos ? LiveNode.Settings.OFF : chatPort,
            noWeb || noDemos ? LiveNode.Settings.OFF : webPort);
    // The hook comes first, so that a SIGTERM while the node starts stops it as cleanly as one
    // after: it waits for the start to end, then stops what started.
    var stopping = new AtomicBoolean();
    var started = new CompletableFuture<Optional<LiveNode>>(); // empty: the start failed
    var stopped = new CountDownLatch(1);
    Threads.onShutdown(
        "lunar-shutdown",
        () -> {
          stopping.set(true);
          Optional<LiveNode> node = started.join();
          if (node.isEmpty()) {
            return; // the JVM exits with the failed start's code
          }
          node.get().close();
          io.out.println("lunar node: stopped; " + settings.mount() + " unmounted");
          io.out.flush();
          stopped.countDown();
          // A stop we asked for is a success, not death by signal (143): exit 0 once clean.
          Runtime.getRuntime().halt(0);
        });
    LiveNode node;
    try {
      node = LiveNode.start(settings, io.out);
    } catch (LiveNode.StartException | RuntimeException e) {
      if (stopping.get()) { // the start failed because the JVM is stopping (SIGTERM): a stop
        io.out.println("lunar node: stopped while starting");
        io.out.flush();
        Runtime.getRuntime().halt(0);
      }
      started.complete(Optional.empty());
      if (e instanceof RuntimeException internal) {
        throw internal;
      }
      io.err.println("lunar node: " + e.getMessage());
      return Lunar.BAD_INPUT;
    }
    started.complete(Optional.of(node));
    io.out.println(
        "lunar node: tree mounted at "
            + settings.mount()
            + " (pid "
            + ProcessHandle.current().pid()
            + "); stop with Ctrl-C or kill "
            + ProcessHandle.current().pid());
    io.out.flush();
    stopped.await();
    return 0;
  }
}
