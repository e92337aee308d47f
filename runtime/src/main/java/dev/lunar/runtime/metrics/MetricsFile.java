package dev.lunar.runtime.metrics;

import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import java.nio.charset.StandardCharsets;

/** {@code /metrics}: read-only; each open renders the metrics once, and reads page through that. */
public record MetricsFile(Metrics metrics) implements File {
  @Override
  public int mode() {
    return 0444; // without rendering the metrics
  }

  @Override
  public Stat stat() {
    return Stat.file(bytes().length, 0444, System.currentTimeMillis());
  }

  @Override
  public Handle open(OpenMode mode) throws FsException {
    if (mode.write()) {
      throw new FsException(dev.lunar.fs.Errno.EACCES, "/metrics is read-only");
    }
    return Handle.of(bytes());
  }

  private byte[] bytes() {
    return metrics.render().getBytes(StandardCharsets.UTF_8);
  }
}
