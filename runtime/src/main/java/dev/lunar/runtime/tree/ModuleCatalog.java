package dev.lunar.runtime.tree;

import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Listing;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The modules a node can spawn by name: what {@code /bin} lists. Bundled examples, the {@code
 * .wasm} files of {@code --modules} directories, and modules deployed into {@code /bin} while the
 * node runs. Thread-safe.
 */
public final class ModuleCatalog {
  /** A module's file name in {@code /bin}. */
  static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\\.wasm");

  /** Where a module came from; only deployed ones can be removed. */
  enum Origin {
    BUNDLED,
    DIRECTORY,
    DEPLOYED
  }

  /** Where a module's bytes come from. */
  @FunctionalInterface
  private interface Source {
    byte[] read() throws FsException;
  }

  /** A module; its bytes are read once, when first needed (stat, read or spawn). */
  static final class Entry {
    private final Origin origin;
    private final Source source;
    private final long addedMillis = System.currentTimeMillis();
    private volatile byte[] bytes;

    Entry(Origin origin, Source source) {
      this.origin = origin;
      this.source = source;
    }

    Origin origin() {
      return origin;
    }

    /** When it was bundled, found or deployed: its file's modification time in {@code /bin}. */
    long addedMillis() {
      return addedMillis;
    }

    byte[] bytes() throws FsException {
      byte[] b = bytes;
      if (b == null) {
        b = source.read();
        bytes = b;
      }
      return b;
    }
  }

  private final ModuleLoader loader;
  private final ConcurrentSkipListMap<String, Entry> modules = new ConcurrentSkipListMap<>();

  public ModuleCatalog(ModuleLoader loader) {
    this.loader = loader;
  }

  /** Adds a bundled module; {@code bytes} is asked when the module is first read or spawned. */
  public void bundle(String name, Supplier<byte[]> bytes) {
    modules.put(fileName(name), new Entry(Origin.BUNDLED, bytes::get));
  }

  /** Adds every {@code *.wasm} file in {@code dir}, read when used. */
  public void addDirectory(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f :
          files.filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches()).toList()) {
        String name = f.getFileName().toString();
        modules.put(name, new Entry(Origin.DIRECTORY, () -> read(name, f)));
      }
    }
  }

  /**
   * A module's file in a {@code --modules} directory, read when first used. A file removed since
   * the node started leaves {@code /bin} then ({@code ENOENT}).
   */
  private byte[] read(String name, Path file) throws FsException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      modules.computeIfPresent(name, (n, entry) -> entry.origin == Origin.DIRECTORY ? null : entry);
      throw new FsException(Errno.ENOENT, name + ": " + file + " is gone since the node started");
    } catch (IOException e) {
      throw new FsException(Errno.EIO, name + ": cannot read " + file + ": " + e.getMessage());
    }
  }

  /** {@code hello} or {@code hello.wasm} as the file name {@code hello.wasm}. */
  static String fileName(String name) {
    return name.endsWith(".wasm") ? name : name + ".wasm";
  }

  /** Validates {@code bytes} (parse, rewrite, compile) and only then installs them. */
  void deploy(String fileName, byte[] bytes) throws FsException {
    Entry old = modules.get(fileName);
    if (old != null && old.origin() == Origin.BUNDLED) {
      throw new FsException(
          Errno.EPERM, fileName + " is bundled with Lunar and cannot be replaced");
    }
    try {
      Node.checkImports(loader.load(fileName.substring(0, fileName.length() - 5), bytes));
    } catch (ModuleException e) {
      throw new FsException(Errno.EINVAL, fileName + ": " + e.getMessage());
    }
    modules.put(fileName, new Entry(Origin.DEPLOYED, () -> bytes));
  }

  void remove(String fileName) throws FsException {
    Entry e = get(fileName);
    if (e.origin() != Origin.DEPLOYED) {
      throw new FsException(Errno.EPERM, fileName + " was not deployed here and cannot be removed");
    }
    modules.remove(fileName, e);
  }

  Entry get(String fileName) throws FsException {
    Entry e = modules.get(fileName);
    if (e == null) {
      throw new FsException(Errno.ENOENT, "no module " + fileName + " in /bin");
    }
    return e;
  }

  List<DirEntry> list(String cursor, int max) {
    return Listing.page(modules, cursor, max, e -> false);
  }

  /** The module called {@code name} ({@code hello} or {@code hello.wasm}), compiled. */
  public LoadedModule load(String name) throws FsException {
    String file = fileName(name);
    Entry e = get(file);
    try {
      return loader.load(file.substring(0, file.length() - 5), e.bytes());
    } catch (ModuleException ex) {
      throw new FsException(Errno.EINVAL, file + ": " + ex.getMessage());
    }
  }
}
