package dev.lunar.fs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs {@code bash -c SCRIPT} with {@code $M} set to a mount point, as a user at a shell would. */
final class Bash {
  /** What a script printed, and how it ended. */
  record Result(int exit, String out, String err) {
    Result ok() {
      assertEquals(0, exit, () -> "exit " + exit + ", stderr: " + err);
      return this;
    }
  }

  private final Path mount;
  private final Path scratch;

  Bash(Path mount, Path scratch) {
    this.mount = mount;
    this.scratch = scratch;
  }

  Result run(String script) throws IOException, InterruptedException {
    Path out = Files.createTempFile(scratch, "out", ".txt");
    Path err = Files.createTempFile(scratch, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", script)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("M", mount.toString());
    pb.environment().put("T", scratch.toString());
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bash did not finish within 60 s: " + script);
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Starts {@code bash -c SCRIPT} and returns at once; its output goes to {@code out}. */
  Process start(String script, Path out) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", script)
            .redirectOutput(out.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("M", mount.toString());
    return pb.start();
  }
}
