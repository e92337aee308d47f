package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code scripts/lunar node} in its own JVM, its tree mounted in a temporary directory, and
 * real {@code bash} to drive it. Closing stops the node with SIGTERM and makes sure nothing stays
 * mounted, even after a failed test or a {@code kill -9}.
 */
final class LiveMount implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("lunar.root"));

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  final Path mount;
  final Path data;
  private final Path log;
  private Process process;

  LiveMount(Path tmp) {
    this.mount = tmp.resolve("mnt");
    this.data = tmp.resolve("data");
    this.log = tmp.resolve("node.log");
  }

  /** Starts the node and waits for its "mounted" line; {@code extra} are more node options. */
  LiveMount start(String... extra) throws Exception {
    Files.createDirectories(mount);
    var command =
        new ArrayList<>(
            List.of(
                ROOT.resolve("scripts/lunar").toString(),
                "node",
                "--mount",
                mount.toString(),
                "--data",
                data.toString()));
    command.addAll(List.of(extra));
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    var ready = new CompletableFuture<String>();
    Thread.ofVirtual()
        .start(() -> {
          try (var in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
              var out = Files.newBufferedWriter(log)) {
            String line;
            while ((line = in.readLine()) != null) {
              out.write(line + "\n");
              out.flush();
              if (line.contains("tree mounted at")) {
                ready.complete(line);
              }
            }
          } catch (IOException e) {
            // the node ended
          }
          ready.complete(null);
        });
    String line = ready.get(3, TimeUnit.MINUTES);
    assertTrue(line != null, "the node did not start:\n" + log());
    return this;
  }

  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  long pid() {
    return process.pid();
  }

  /** Runs {@code script} with bash in the mount directory, {@code LUNAR_MOUNT} set. */
  Result bash(String script) throws Exception {
    return bash(script, 60);
  }

  Result bash(String script, int timeoutSeconds) throws Exception {
    var builder = new ProcessBuilder("bash", "-c", script).directory(mount.toFile());
    builder.environment().put("LUNAR_MOUNT", mount.toString());
    builder.environment().put("PATH", ROOT.resolve("scripts") + ":" + System.getenv("PATH"));
    Process p = builder.start();
    p.getOutputStream().close();
    var out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    var err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bash did not finish in " + timeoutSeconds + " s: " + script);
    }
    return new Result(p.exitValue(), out.get(), err.get());
  }

  private static String readAll(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGKILL, as a crash would: the mount stays behind, stale. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(1, TimeUnit.MINUTES);
  }

  /** SIGTERM, and waits for the node to end; returns its exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      process.waitFor(1, TimeUnit.MINUTES);
    }
    return process.exitValue();
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      stop();
    }
    // Whatever happened, leave nothing mounted.
    new ProcessBuilder("umount", "-l", mount.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor(30, TimeUnit.SECONDS);
  }
}
