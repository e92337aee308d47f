package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/lunar serve}, the real launcher, asked by real {@code curl}. */
class ServeIT {
  private static final Path ROOT = Path.of(System.getProperty("lunar.root"));

  @TempDir Path tmp;

  @Test
  void servesABundledExampleUntilStopped() throws Exception {
    var builder =
        new ProcessBuilder(
            ROOT.resolve("scripts/lunar").toString(), "serve", "--port", "0", "hello");
    builder.environment().put("LUNAR_DATA", tmp.resolve("data").toString());
    Process lunar = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      var err =
          new BufferedReader(new InputStreamReader(lunar.getErrorStream(), StandardCharsets.UTF_8));
      String line = err.readLine();
      assertNotNull(line, "lunar serve said nothing");
      Matcher m = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+/)").matcher(line);
      assertTrue(m.find(), line);
      Process curl =
          new ProcessBuilder(List.of("curl", "-sS", "--max-time", "60", m.group(1) + "x?y=1"))
              .redirectErrorStream(true)
              .start();
      String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(curl.waitFor(2, TimeUnit.MINUTES));
      assertEquals("Hello, world, from a Lunar process!\n", body);
    } finally {
      lunar.destroy();
      assertTrue(lunar.waitFor(1, TimeUnit.MINUTES), "lunar serve did not stop");
    }
  }
}
