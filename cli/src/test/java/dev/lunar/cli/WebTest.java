package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import dev.lunar.runtime.web.WebConfig;
import dev.lunar.runtime.web.WebEndpoint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Programs as web endpoints on a live node, asked by real {@code curl}. */
class WebTest {
  private static final ModuleLoader LOADER = ModuleLoader.inMemory(false);
  private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
  private static Node node;
  private static final List<WebEndpoint> endpoints = new ArrayList<>();

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    node = new Node(NodeConfig.defaults());
    var catalog = new ModuleCatalog(LOADER);
    Tree.install(node, catalog, System.out, System.err);
  }

  @AfterAll
  static void stop() {
    endpoints.forEach(WebEndpoint::close);
    node.close();
  }

  /** Serves bundled example {@code name} on a free port; returns its base URL. */
  private static String serve(String name, WebConfig config) throws Exception {
    var endpoint =
        WebEndpoint.start(node, LOADER.load(name, Examples.find(name)), config.withStderr(LOG));
    endpoints.add(endpoint);
    return "http://127.0.0.1:" + endpoint.port();
  }

  private record Reply(int status, String headers, String body, String trace) {}

  /** Runs curl with {@code args}; the status and headers come from {@code -D}. */
  private Reply curl(String... args) throws Exception {
    Path headers = Files.createTempFile(tmp, "h", ".txt");
    Path body = Files.createTempFile(tmp, "b", ".txt");
    Path trace = Files.createTempFile(tmp, "t", ".txt");
    List<String> command =
        new ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "-v",
                "--max-time",
                "60",
                "-D",
                headers.toString(),
                "-o",
                body.toString()));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectError(trace.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "curl did not finish");
    assertEquals(0, p.exitValue(), Files.readString(trace));
    String head = Files.readString(headers).replace("\r", "");
    List<String> statusLines = head.lines().filter(l -> l.startsWith("HTTP/")).toList();
    int status = Integer.parseInt(statusLines.getLast().split(" ")[1]);
    return new Reply(status, head, Files.readString(body), Files.readString(trace));
  }

  @Test
  void anUnmodifiedProgramThatPrintsAnswers() throws Exception {
    String url = serve("hello", WebConfig.on(0));
    Reply r = curl(url + "/anything");
    assertEquals(200, r.status());
    assertEquals("Hello, world, from a Lunar process!\n", r.body());
    assertTrue(r.headers().contains("Content-type: text/plain; charset=utf-8"), r.headers());
  }

  @Test
  void cgiVariablesAndBodyReachTheProgramAndItsHeadersComeBack() throws Exception {
    String url = serve("cgiecho", WebConfig.on(0));
    Reply r =
        curl(
            "-H",
            "X-Test: yes",
            "-H",
            "Proxy: http://elsewhere",
            "-H",
            "X-Under_Score: 1",
            "--data-binary",
            "the body",
            url + "/some/path?a=1&b=two");
    assertEquals(200, r.status());
    assertTrue(r.headers().contains("X-lunar-example: cgiecho"), r.headers());
    for (String line :
        List.of(
            "REQUEST_METHOD=POST",
            "PATH_INFO=/some/path",
            "QUERY_STRING=a=1&b=two",
            "CONTENT_LENGTH=8",
            "CONTENT_TYPE=application/x-www-form-urlencoded",
            "HTTP_X_TEST=yes",
            "SERVER_PROTOCOL=HTTP/1.1",
            "GATEWAY_INTERFACE=CGI/1.1",
            "REMOTE_ADDR=127.0.0.1",
            "body: the body",
            "body bytes: 8")) {
      assertTrue(r.body().lines().anyMatch(line::equals), line + " in\n" + r.body());
    }
    // Left out, as CGI servers do: Proxy ("httpoxy"), and a name that reads as another's.
    assertTrue(r.body().lines().noneMatch(l -> l.startsWith("HTTP_PROXY=")), r.body());
    assertTrue(r.body().lines().noneMatch(l -> l.startsWith("HTTP_X_UNDER_SCORE=")), r.body());
    assertEquals(404, curl(url + "/?status=404").status());
    assertEquals(500, curl(url + "/?status=100").status(), "an interim status is no answer");
    Reply none = curl(url + "/?status=204");
    assertEquals(204, none.status());
    assertEquals("", none.body());
    assertEquals(400, curl(url + "/a%00b").status(), "a NUL would cut PATH_INFO short");
  }

  @Test
  void aTrapIs500() throws Exception {
    String url = serve("trap", WebConfig.on(0));
    Reply r = curl(url);
    assertEquals(500, r.status());
    assertTrue(r.body().contains("trap"), r.body());
    // One line on the server's standard error says which request failed and why.
    assertTrue(
        LOG.toString(StandardCharsets.UTF_8).lines().anyMatch(l -> l.contains("GET /: 500")),
        LOG.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aRunPastTheTimeLimitIs504AndTheProcessIsKilled() throws Exception {
    String url = serve("spin", WebConfig.on(0).withTimeout(Duration.ofSeconds(1)));
    Reply r = curl(url);
    assertEquals(504, r.status());
    assertTrue(r.body().contains("time limit"), r.body());
    // The spinning process was killed, not left running.
    assertTrue(node.processes().stream().noneMatch(p -> p.module().equals("spin")));
  }

  @Test
  void aRequestThatNeverFinishesIsHungUpOn() throws Exception {
    String url = serve("cgiecho", WebConfig.on(0));
    int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    try (var s = new java.net.Socket("127.0.0.1", port)) {
      // The tests' limit is 2 s (pom.xml), far less than this: a server that waits fails here.
      assertEquals(2, dev.lunar.runtime.HttpServers.REQUEST_SECONDS);
      s.setSoTimeout(30_000);
      s.getOutputStream()
          .write(
              "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"
                  .getBytes(StandardCharsets.US_ASCII));
      int first;
      try {
        first = s.getInputStream().read();
      } catch (java.net.SocketException reset) {
        first = -1; // hung up on with a reset: as good
      }
      assertEquals(-1, first, "the server answered instead of hanging up");
    }
    try (var s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000); // and one whose headers never end
      s.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n".getBytes());
      assertEquals(-1, s.getInputStream().read(), "the server answered instead of hanging up");
    }
    assertTrue(node.processes().stream().noneMatch(p -> p.module().equals("cgiecho")));
    // The server goes on serving.
    assertEquals(200, curl("--data-binary", "quick", url).status());
  }

  @Test
  void anOversizedBodyIs413AndRunsNothing() throws Exception {
    String url = serve("cgiecho", WebConfig.on(0).withMaxBody(1024));
    Path big = Files.write(tmp.resolve("big"), new byte[4096]);
    Reply r = curl("--data-binary", "@" + big, url);
    assertEquals(413, r.status());
    Reply fits = curl("--data-binary", "small", url);
    assertEquals(200, fits.status());
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
    String url = serve("hello", WebConfig.on(0));
    Reply r = curl(url + "/one", "-o", tmp.resolve("two").toString(), url + "/two");
    assertEquals(200, r.status());
    assertTrue(r.trace().contains("Re-using existing connection"), r.trace());
    assertEquals("Hello, world, from a Lunar process!\n", Files.readString(tmp.resolve("two")));
    assertEquals(1, r.trace().lines().filter(l -> l.contains("Connected to")).count(), r.trace());
  }

  @Test
  void oneProcessPerRequest() throws Exception {
    String url = serve("webhello", WebConfig.on(0));
    String first = curl(url).body();
    String second = curl(url).body();
    assertTrue(first.startsWith("Hello from Lunar process "), first);
    assertTrue(!first.equals(second), "the same process answered twice: " + first);
  }
}
