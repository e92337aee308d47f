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
import java.io.UncheckedIOException;
import java.nio.file.Files;
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

  /** A module; its bytes are read once, when first needed (stat, read or spawn). */
  static final class Entry {
    private final Origin origin;
    private final Supplier<byte[]> source;
    private final long addedMillis = System.currentTimeMillis();
    private volatile byte[] bytes;

    Entry(Origin origin, Supplier<byte[]> source) {
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

    byte[] bytes() {
      byte[] b = bytes;
      if (b == null) {
        b = source.get();
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
    modules.put(fileName(name), new Entry(Origin.BUNDLED, bytes));
  }

  /** Adds every {@code *.wasm} file in {@code dir}, read when used. */
  public void addDirectory(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f :
          files.filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches()).toList()) {
        modules.put(f.getFileName().toString(), new Entry(Origin.DIRECTORY, () -> read(f)));
      }
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
