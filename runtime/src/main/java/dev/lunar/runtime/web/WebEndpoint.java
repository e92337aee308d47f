package dev.lunar.runtime.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lunar.fs.ByteBudget;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.HttpServers;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.Threads;
import dev.lunar.runtime.proc.NoProcException;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.RegistryException;
import dev.lunar.runtime.proc.SpawnOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Any command-line program as a web endpoint: an HTTP/1.1 server (keep-alive included) that runs
 * one process of {@code module} per request, with the request body on standard input and the CGI
 * variables in its environment ({@link CgiRequest}), and answers with what it printed ({@link
 * CgiResponse}). A process that ends abnormally is answered 500; one that runs past the time limit
 * is killed and answered 504; a body over the limit is answered 413 without running anything.
 *
 * <p>Concurrency contract: each request runs on its own virtual thread; {@link #close} may be
 * called from any thread.
 */
public final class WebEndpoint implements AutoCloseable {
  private static final int DRAIN_LIMIT = 64 << 20;

  private final Node node;
  private final LoadedModule module;
  private final WebConfig config;
  private final SpawnOptions options;
  private final PrintStream log;
  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * Output held by the responses in flight: four responses at the output limit, or a sixteenth of
   * the heap if that is more.
   */
  private final ByteBudget output;

  private WebEndpoint(Node node, LoadedModule module, WebConfig config, ByteBudget output)
      throws IOException, ModuleException {
    this.node = node;
    this.module = module;
    this.config = config;
    this.output = output;
    var spawn = SpawnOptions.DEFAULT.withGrants(config.grants());
    this.options = config.maxMemory() > 0 ? spawn.withMaxMemory(config.maxMemory()) : spawn;
    node.checkStart(module, options); // refused at once, not at every request
    this.log = new PrintStream(config.stderr(), true, StandardCharsets.UTF_8);
    this.server = HttpServers.create(new InetSocketAddress(config.address(), config.port()), 1024);
    this.executor = Threads.newIoExecutor("lunar-web-");
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /**
   * Serves {@code module} on {@code node} as {@code config} says, until closed.
   *
   * @throws IOException if the port cannot be bound
   * @throws ModuleException if a process of {@code module} could not start (an import it lacks,
   *     more memory at start than its limit)
   */
  public static WebEndpoint start(Node node, LoadedModule module, WebConfig config)
      throws IOException, ModuleException {
    long inFlight = Math.max(4 * config.maxOutput(), Runtime.getRuntime().maxMemory() / 16);
    return start(node, module, config, new ByteBudget(inFlight));
  }

  /** The same, with {@code output} bounding the output all responses in flight hold. */
  static WebEndpoint start(Node node, LoadedModule module, WebConfig config, ByteBudget output)
      throws IOException, ModuleException {
    var endpoint = new WebEndpoint(node, module, config, output);
    endpoint.server.start();
    return endpoint;
  }

  /** The port it listens on: the one asked for, or the one chosen for port 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    var out = new CappedOutput(config.maxOutput(), output);
    try (ex) {
      CgiResponse response = respond(ex, out);
      if (response.status() >= 500) {
        log.println(
            "lunar web: "
                + ex.getRequestMethod()
                + " "
                + ex.getRequestURI()
                + ": "
                + StandardCharsets.UTF_8.decode(response.body().duplicate()).toString().strip());
      }
      send(ex, response);
    } finally {
      out.release();
    }
  }

  private CgiResponse respond(HttpExchange ex, CappedOutput out) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (path != null && path.indexOf('\0') >= 0) {
      return CgiResponse.error(400, "Bad Request", "the path holds a NUL byte (%00)");
    }
    byte[] body = body(ex);
    if (body == null) {
      ex.getResponseHeaders().set("Connection", "close");
      return CgiResponse.error(
          413, "Content Too Large", "request bodies are limited to " + config.maxBody() + " bytes");
    }
    var spec =
        new GuestSpec(
            List.of(),
            CgiRequest.env(ex, body.length, config.env()),
            config.dirs(),
            new ByteArrayInputStream(body),
            out,
            config.stderr());
    Proc proc;
    try {
      proc = node.spawn(module, spec, options);
    } catch (ModuleException | NoProcException | RegistryException e) {
      return CgiResponse.error(500, "Internal Server Error", "cannot start: " + e.getMessage());
    }
    ExitReason reason;
    try {
      reason = proc.awaitExit(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
      if (reason == null) {
        try {
          node.kill(proc.pid(), ExitReason.killed("time limit"));
        } catch (NoProcException e) {
          // it ended just now: still over time
        }
        proc.awaitExit();
        return CgiResponse.error(
            504,
            "Gateway Timeout",
            "the program ran past its time limit of " + config.timeout().toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      try {
        node.kill(proc.pid(), ExitReason.killed("shutdown"));
      } catch (NoProcException ended) {
        // nothing to stop
      }
      Thread.currentThread().interrupt();
      return CgiResponse.error(503, "Service Unavailable", "the server is shutting down");
    }
    if (!reason.isNormal()) {
      return CgiResponse.error(
          500, "Internal Server Error", "the program ended with " + reason.text());
    }
    if (out.over()) {
      return CgiResponse.error(
          500, "Internal Server Error", "output over " + config.maxOutput() + " bytes");
    }
    if (out.full()) {
      return CgiResponse.error(
          503,
          "Service Unavailable",
          "the responses in flight hold all the memory the server allows them ("
              + (output.limit() >> 20)
              + " MiB); try again");
    }
    return CgiResponse.parse(out.buffer(), out.size());
  }

  /** The request body; null if it is over the limit (then read and dropped, up to a bound). */
  private byte[] body(HttpExchange ex) throws IOException {
    InputStream in = ex.getRequestBody();
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    long length = -1;
    if (declared != null) {
      try {
        length = Long.parseLong(declared.strip());
      } catch (NumberFormatException e) {
        length = Long.MAX_VALUE;
      }
    }
    if (length > config.maxBody()) {
      // Read what the client sends, so that it reads our answer rather than a reset connection.
      if (length <= DRAIN_LIMIT) {
        in.skip(length);
      }
      return null;
    }
    byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxBody() + 1));
    if (body.length > config.maxBody()) {
      in.skip(DRAIN_LIMIT);
      return null;
    }
    return body;
  }

  private static void send(HttpExchange ex, CgiResponse r) throws IOException {
    for (String[] h : r.headers()) {
      ex.getResponseHeaders().add(h[0], h[1]);
    }
    boolean head = ex.getRequestMethod().equals("HEAD");
    ByteBuffer body = r.body();
    boolean bodiless = r.status() == 204 || r.status() == 304; // HTTP allows these none
    if (head || bodiless || !body.hasRemaining()) {
      ex.sendResponseHeaders(r.status(), -1);
      return;
    }
    ex.sendResponseHeaders(r.status(), body.remaining());
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body.array(), body.arrayOffset() + body.position(), body.remaining());
    }
  }
}
