package dev.lunar.runtime.net;

import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.OpenMode;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.proc.NoProcException;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.Proc;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The telnet chat of the launch demo ({@code examples/c/chat.c}) started on a node: the host binds
 * the port, then spawns, through {@code /proc/new} like any process would, a supervisor and under
 * it the chat's acceptor, granted that port, {@code /proc} and a read-only {@code /names}. The
 * acceptor spawns everything else. The module {@code chat} must be in the node's {@code /bin}, and
 * the node runs one chat at a time (the chat registers the names {@code chat} and {@code lobby}).
 *
 * <p>Should the supervisor give up (the acceptor failing more than 5 times in a minute), the chat
 * is over: the port is closed, so callers are refused rather than left waiting, and the log says
 * why.
 */
public final class ChatService implements AutoCloseable {
  private final Node node;
  private final Net.Announcement port;
  private final long supervisor;
  private volatile boolean closing;

  private ChatService(Node node, Net.Announcement port, long supervisor) {
    this.node = node;
    this.port = port;
    this.supervisor = supervisor;
  }

  /**
   * Starts the chat on {@code port} (0: any free port, see {@link #port}); {@code log} hears if it
   * stops on its own.
   *
   * @throws IOException if the port cannot be bound, or the chat cannot be spawned (the reason says
   *     why: no {@code chat} module in {@code /bin}, a name taken, …)
   */
  public static ChatService start(Node node, Net net, int port, PrintStream log)
      throws IOException {
    Net.Announcement bound = net.announce(port);
    try {
      int p = bound.port();
      long sup = spawn(node, "supervisor --strategy one_for_one --max-restarts 5 --within 60");
      try {
        spawn(
            node,
            "--supervisor "
                + sup
                + " --name chat --grant /net/tcp/"
                + p
                + ":rw --grant /proc:rw --grant /names:ro chat serve "
                + p);
      } catch (IOException e) {
        node.kill(sup, ExitReason.killed("shutdown"));
        throw e;
      }
      ChatService chat = new ChatService(node, bound, sup);
      Proc top = node.find(sup);
      if (top != null) {
        top.onExit(reason -> chat.stopped(reason, log));
      }
      return chat;
    } catch (IOException | NoProcException e) {
      bound.close();
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  /** Spawns a process from the host, as a guest would: a spawn line written to /proc/new. */
  private static long spawn(Node node, String line) throws IOException {
    try {
      var clone = (File) Namespace.walk(node.hostTree(), List.of("proc", "new"));
      try (Handle h = clone.open(OpenMode.READ_WRITE)) {
        try {
          h.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)), 0);
        } catch (FsException e) {
          throw new IOException("chat: " + e.errno() + ": " + e.reason(), e);
        }
        ByteBuffer pid = ByteBuffer.allocate(32);
        int n = h.read(pid, 0, true);
        return Long.parseLong(new String(pid.array(), 0, n, StandardCharsets.UTF_8).strip());
      }
    } catch (FsException e) {
      throw new IOException("chat: " + e.errno() + ": " + e.reason(), e);
    }
  }

  private void stopped(ExitReason reason, PrintStream log) {
    if (!closing) {
      port.close();
      log.println(
          "lunar node: the chat on port "
              + port.port()
              + " has stopped (its supervisor "
              + supervisor
              + " ended: "
              + reason
              + "); the port is closed");
    }
  }

  /** The port the chat listens on. */
  public int port() {
    return port.port();
  }

  /** Stops the chat: its processes end, and its connections are hung up. */
  @Override
  public void close() {
    closing = true;
    try {
      node.kill(supervisor, ExitReason.killed("shutdown"));
    } catch (NoProcException e) {
      // it gave up already
    }
    port.close();
  }
}
