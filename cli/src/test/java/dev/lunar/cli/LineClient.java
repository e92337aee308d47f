package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A line-oriented client for tests: a real {@code nc} or {@code telnet} process, or a Java socket,
 * whose output lines are collected as they come, so a test can wait for the line it expects.
 */
final class LineClient implements AutoCloseable {
  private static final String EOF = "\u0000eof";
  private final String name;
  private final OutputStream in;
  private final AutoCloseable resource;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  private LineClient(String name, OutputStream in, InputStream out, AutoCloseable resource) {
    this.name = name;
    this.in = in;
    this.resource = resource;
    Thread.ofVirtual()
        .start(() -> {
          try (var reader =
              new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
              lines.add(line.replace("\r", ""));
            }
          } catch (IOException e) {
            // the end
          }
          lines.add(EOF);
        });
  }

  /** {@code command} (e.g. {@code nc 127.0.0.1 PORT}) as a client. */
  static LineClient process(String name, String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new LineClient(
        name,
        p.getOutputStream(),
        p.getInputStream(),
        () -> {
          p.destroy();
          if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        });
  }

  static LineClient socket(String name, java.net.Socket s) throws IOException {
    return new LineClient(name, s.getOutputStream(), s.getInputStream(), s);
  }

  /** Sends one line. */
  void say(String line) throws IOException {
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Waits for a line containing one of {@code texts}, skipping others; fails as expect does. */
  String expectAny(String... texts) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(EOF)) {
        if (line != null) {
          lines.add(EOF);
        }
        fail(name + ": no line with any of " + List.of(texts) + "; saw " + seen);
      }
      seen.add(line);
      for (String text : texts) {
        if (line.contains(text)) {
          return line;
        }
      }
    }
  }

  /** Waits for a line containing {@code text}, skipping others; fails after 30 s or at the end. */
  String expect(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(EOF)) {
        if (line != null) {
          lines.add(EOF);
        }
        fail(
            name
                + ": no line with '"
                + text
                + "' ("
                + (line == null ? "timeout" : "ended")
                + ");"
                + " saw "
                + seen);
      }
      seen.add(line);
      if (line.contains(text)) {
        return line;
      }
    }
  }

  /** The next line, whatever it is; null at the end. Fails after 30 s. */
  String next() throws InterruptedException {
    String line = lines.poll(30, TimeUnit.SECONDS);
    if (line == null) {
      fail(name + ": no line within 30 s; saw " + seen);
    }
    if (line.equals(EOF)) {
      lines.add(EOF);
      return null;
    }
    seen.add(line);
    return line;
  }

  /** The lines read so far. */
  List<String> seen() {
    return List.copyOf(seen);
  }

  /** Waits for the end of the output (the connection closed). */
  void expectEnd() throws InterruptedException {
    String line;
    while ((line = next()) != null) {
      // skip what came before the end
    }
  }

  @Override
  public void close() throws Exception {
    resource.close();
  }
}
