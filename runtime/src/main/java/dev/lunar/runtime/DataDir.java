package dev.lunar.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The node's data directory and what lives in it. Default: {@code $LUNAR_DATA}, else {@code
 * $XDG_DATA_HOME/lunar}, else {@code ~/.local/share/lunar}.
 */
public record DataDir(Path root) {
  private static final String CHICORY_VERSION = buildProperty("chicory.version");

  /** The default location, read from the given environment. */
  public static DataDir fromEnvironment(Map<String, String> env) {
    String explicit = env.get("LUNAR_DATA");
    if (explicit != null && !explicit.isEmpty()) {
      return new DataDir(Path.of(explicit));
    }
    String xdg = env.get("XDG_DATA_HOME");
    Path base =
        xdg != null && !xdg.isEmpty()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "share");
    return new DataDir(base.resolve("lunar"));
  }

  /**
   * Compiled module bytecode. Keyed by the compiler's version too, since bytecode from one Chicory
   * release is not meant for another.
   */
  public Path compileCache() {
    return root.resolve("cache").resolve("chicory-" + CHICORY_VERSION);
  }

  /** Where RocksDB's native library is copied at start, one copy replaced at each start. */
  public Path nativeLibraries() {
    return root.resolve("cache").resolve("native");
  }

  /** The key-value store's RocksDB files. */
  public Path kv() {
    return root.resolve("kv");
  }

  private static String buildProperty(String name) {
    try (InputStream in = DataDir.class.getResourceAsStream("build.properties")) {
      var properties = new Properties();
      properties.load(in);
      return properties.getProperty(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
