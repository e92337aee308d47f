package dev.lunar.cli;

import dev.lunar.runtime.DataDir;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.tree.ModuleCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What {@code lunar run} and {@code lunar node} share: the loader and {@code /bin}. */
final class Modules {
  private Modules() {}

  static ModuleLoader loader(DataDir data, boolean interpret) {
    return new ModuleLoader(usableCache(data.compileCache()), interpret);
  }

  /** {@code /bin}: the bundled examples, then each {@code --modules} directory. */
  static ModuleCatalog catalog(ModuleLoader loader, List<Path> moduleDirs) throws ModuleException {
    var catalog = new ModuleCatalog(loader);
    for (String name : Examples.names()) {
      catalog.bundle(name, () -> Examples.find(name));
    }
    for (Path dir : moduleDirs) {
      try {
        catalog.addDirectory(dir);
      } catch (IOException e) {
        throw new ModuleException("--modules " + dir + ": not a readable directory");
      }
    }
    return catalog;
  }

  /** The cache is an optimisation: without a writable data directory, run without it. */
  private static Path usableCache(Path dir) {
    try {
      Files.createDirectories(dir);
      return Files.isWritable(dir) ? dir : null;
    } catch (IOException e) {
      return null;
    }
  }
}
