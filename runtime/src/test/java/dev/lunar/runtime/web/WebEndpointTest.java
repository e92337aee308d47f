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
    var roomy = new ByteBudget(200); // room for two or three of hello's answers at once
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
}
