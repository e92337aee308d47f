package dev.lunar.runtime.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.ByteBudget;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bound on the output all responses in flight hold, with a real node and real HTTP. */
@Timeout(120)
class WebEndpointTest {
  private final Node node = new Node(NodeConfig.defaults());
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() {
    node.close();
  }

  private HttpResponse<String> get(WebEndpoint web) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + "/")).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void outputInFlightIsBoundedAndGivenBackAfterEachResponse() throws Exception {
    LoadedModule hello = ModuleLoader.inMemory(false).load("hello", TestModules.example("hello"));
    var config = WebConfig.on(0).withStderr(OutputStream.nullOutputStream());
    var roomy = new ByteBudget(600); // room for two of hello's answers (256-byte buffers) at once
    try (var web = WebEndpoint.start(node, hello, config, roomy)) {
      for (int i = 0; i < 20; i++) { // ten times what fits, one after another
        var r = get(web);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("Hello"), r.body());
      }
      // The last answer's output is given back just after it is sent: wait for it.
      for (int i = 0; i < 3000 && roomy.held() != 0; i++) {
        Thread.sleep(10);
      }
      assertEquals(0, roomy.held(), "each response gave its output back");
    }
    var tight = new ByteBudget(10); // less than one answer
    try (var web = WebEndpoint.start(node, hello, config, tight)) {
      var r = get(web);
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(r.body().contains("responses in flight hold all the memory"), r.body());
      for (int i = 0; i < 3000 && tight.held() != 0; i++) {
        Thread.sleep(10);
      }
      assertEquals(0, tight.held());
    }
  }

  /**
   * Ten 1 MiB responses at once, with room for three: each guest writes half, waits 500 ms (so that
   * all have written their half and the bound is reached), writes the rest, and waits 500 ms more
   * before it ends. An output that would pass the bound gives up everything it holds at once (503),
   * so others can finish (200); were it to keep what it held until its process ended, every one
   * would be refused. The memory comes back.
   */
  @Test
  void manyBigResponsesAtOnceAreNotAllRefused() throws Exception {
    byte[] wasm =
        TestModules.wat(
            """
            (module
              (import "wasi_snapshot_preview1" "fd_write"
                (func $write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "poll_oneoff"
                (func $poll (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 2)
              (func $half (local $i i32)
                (loop $again
                  (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $again (i32.lt_u (local.get $i) (i32.const 8)))))
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 1024))
                (i32.store (i32.const 4) (i32.const 65536))
                (call $half)
                ;; a 500 ms clock (monotonic, relative)
                (i32.store8 (i32.const 136) (i32.const 0))
                (i32.store (i32.const 144) (i32.const 1))
                (i64.store (i32.const 152) (i64.const 500000000))
                (drop (call $poll (i32.const 128) (i32.const 192) (i32.const 1) (i32.const 240)))
                (call $half)
                ;; and 500 ms more before it ends (and a refused one's output would be given back)
                (drop (call $poll (i32.const 128) (i32.const 192) (i32.const 1) (i32.const 240)))))
            """);
    LoadedModule big = ModuleLoader.inMemory(false).load("big", wasm);
    var config = WebConfig.on(0).withStderr(OutputStream.nullOutputStream());
    var budget = new ByteBudget(3 << 20); // three 1 MiB answers
    try (var web = WebEndpoint.start(node, big, config, budget)) {
      List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        var request =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + "/")).build();
        answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
      }
      int ok = 0;
      for (var answer : answers) {
        var r = answer.get();
        assertTrue(r.statusCode() == 200 || r.statusCode() == 503, "status " + r.statusCode());
        if (r.statusCode() == 200) {
          assertEquals(1 << 20, r.body().length);
          ok++;
        }
      }
      assertTrue(ok >= 1, "every one refused");
      for (int i = 0; i < 3000 && budget.held() != 0; i++) {
        Thread.sleep(10);
      }
      assertEquals(0, budget.held());
    }
  }
}
