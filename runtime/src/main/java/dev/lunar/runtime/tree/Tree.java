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
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The node's tree: {@code /bin}, {@code /names} and {@code /proc}, and what other parts of the node
 * {@link #mount} beside them. {@link #install} makes it the tree of a {@link
 * dev.lunar.runtime.proc.Node}; each caller then gets its own root.
 */
public final class Tree {
  final dev.lunar.runtime.proc.Node node;
  final ModuleCatalog bin;
  final OutputStream stdout;
  final OutputStream stderr;

  /** Supervisors started through {@code /proc/new}, by pid, so spawn lines can name them. */
  final Map<Long, Supervisor> supervisors = new ConcurrentHashMap<>();

  /** Top-level directories other parts of the node add ({@code /net}), by name. */
  private final Map<String, Function<Proc, Dir>> mounts = new ConcurrentSkipListMap<>();

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

  /**
   * Adds the top-level directory {@code /name}, made per caller (null: the host) by {@code dir}.
   * Call before processes start: a process preopens the top-level directories it sees at start.
   */
  public void mount(String name, Function<Proc, Dir> dir) {
    if (Root.NAMES.contains(name) || mounts.putIfAbsent(name, dir) != null) {
      throw new IllegalArgumentException("/" + name + " is already in the tree");
    }
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
        default -> {
          var mounted = tree.mounts.get(name);
          if (mounted == null) {
            throw new FsException(Errno.ENOENT, "no /" + name);
          }
          yield mounted.apply(caller);
        }
      };
    }

    @Override
    public List<DirEntry> list(String cursor, int max) {
      return Stream.concat(NAMES.stream(), tree.mounts.keySet().stream())
          .sorted()
          .filter(n -> cursor == null || n.compareTo(cursor) > 0)
          .limit(max)
          .map(n -> new DirEntry(n, true, n))
          .toList();
    }
  }
}
