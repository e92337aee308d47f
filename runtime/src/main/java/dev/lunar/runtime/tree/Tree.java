package dev.lunar.runtime.tree;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Node;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.Supervisor;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's tree: {@code /bin}, {@code /names} and {@code /proc}. {@link #install} makes it the
 * tree of a {@link dev.lunar.runtime.proc.Node}; each caller then gets its own root.
 */
public final class Tree {
  final dev.lunar.runtime.proc.Node node;
  final ModuleCatalog bin;
  final OutputStream stdout;
  final OutputStream stderr;

  /** Supervisors started through {@code /proc/new}, by pid, so spawn lines can name them. */
  final Map<Long, Supervisor> supervisors = new ConcurrentHashMap<>();

  private Tree(
      dev.lunar.runtime.proc.Node node,
      ModuleCatalog bin,
      OutputStream stdout,
      OutputStream stderr) {
    this.node = node;
    this.bin = bin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Gives {@code node} this tree. {@code stdout} and {@code stderr} are where processes the host
   * spawns through {@code /proc/new} write.
   */
  public static Tree install(
      dev.lunar.runtime.proc.Node node,
      ModuleCatalog bin,
      OutputStream stdout,
      OutputStream stderr) {
    Tree tree = new Tree(node, bin, stdout, stderr);
    node.tree(tree::root);
    return tree;
  }

  /** The root as {@code caller} (null: the host) sees it, before grants narrow it. */
  Dir root(Proc caller) {
    return new Root(this, caller);
  }

  private record Root(Tree tree, Proc caller) implements Dir {
    private static final List<String> NAMES = List.of("bin", "names", "proc");

    @Override
    public Node lookup(String name) throws FsException {
      return switch (name) {
        case "bin" -> new BinDir(tree.bin);
        case "names" -> new NamesDir(tree.node, caller);
        case "proc" -> new ProcDir(tree, caller);
        default -> throw new FsException(Errno.ENOENT, "no /" + name);
      };
    }

    @Override
    public List<DirEntry> list(String cursor, int max) {
      return NAMES.stream()
          .filter(n -> cursor == null || n.compareTo(cursor) > 0)
          .limit(max)
          .map(n -> new DirEntry(n, true, n))
          .toList();
    }
  }
}
