package dev.lunar.runtime.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lunar.runtime.HttpServers;
import dev.lunar.runtime.Threads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * Serves {@code GET /metrics} over HTTP for Prometheus: the same text as the {@code /metrics} file.
 * Every other path is 404, every other method 405.
 */
public final class MetricsHttp implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsHttp(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts serving on {@code port} of every interface (0: any free port). */
  public static MetricsHttp start(Metrics metrics, int port) throws IOException {
    HttpServer server = HttpServers.create(new InetSocketAddress(port), 16);
    ExecutorService executor = Threads.newRequestExecutor("lunar-metrics-");
    server.setExecutor(executor);
    server.createContext("/", exchange -> answer(exchange, metrics));
    server.start();
    return new MetricsHttp(server, executor);
  }

  private static void answer(HttpExchange exchange, Metrics metrics) throws IOException {
    try (exchange) {
      int status;
      byte[] body;
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        status = 404;
        body = "not found: try /metrics\n".getBytes(StandardCharsets.UTF_8);
      } else if (!exchange.getRequestMethod().equals("GET")
          && !exchange.getRequestMethod().equals("HEAD")) {
        status = 405;
        body = "only GET\n".getBytes(StandardCharsets.UTF_8);
      } else {
        status = 200;
        body = metrics.render().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      }
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  /** The port served, useful when started on port 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
