package dev.lunar.runtime.tree;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Listing;
import dev.lunar.fs.Node;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.Supervisor;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/**
 * The node's tree: {@code /bin}, {@code /names} and {@code /proc}, plus what {@link #mount} adds
 * ({@code /kv}, {@code /metrics}). {@link #install} makes it the tree of a {@link
 * dev.lunar.runtime.proc.Node}; each caller then gets its own root.
 */
public final class Tree {
  final dev.lunar.runtime.proc.Node node;
  final ModuleCatalog bin;
  final OutputStream stdout;
  final OutputStream stderr;

  /** Top-level entries added by {@link #mount}, by name. */
  private final NavigableMap<String, Function<Proc, Node>> mounts = new ConcurrentSkipListMap<>();

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

  /**
   * Adds a top-level entry, such as {@code /kv} or {@code /metrics}: {@code part} gives the node
   * that {@code caller} (null: the host) sees there, before grants narrow it.
   *
   * @throws IllegalArgumentException if the name is taken
   */
  public Tree mount(String name, Function<Proc, Node> part) {
    if (FIXED.contains(name) || mounts.putIfAbsent(name, part) != null) {
      throw new IllegalArgumentException("/" + name + " is already in the tree");
    }
    return this;
  }

  /** The root as {@code caller} (null: the host) sees it, before grants narrow it. */
  Dir root(Proc caller) {
    return new Root(this, caller);
  }

  /**
   * How long the host's mount may cache the root and the top-level directories' names and
   * attributes: they are made at start and never change. Everything below them is live.
   */
  public static final java.time.Duration STATIC = java.time.Duration.ofSeconds(10);

  private static final Set<String> FIXED = Set.of("bin", "names", "proc");

  private record Root(Tree tree, Proc caller) implements Dir {
    /** A top-level directory: its name and attributes never change (its listing may). */
    @Override
    public java.time.Duration cacheFor() {
      return dev.lunar.runtime.tree.Tree.STATIC;
    }

    @Override
    public Node lookup(String name) throws FsException {
      return switch (name) {
        case "bin" -> new BinDir(tree.bin);
        case "names" -> new NamesDir(tree.node, caller);
        case "proc" -> new ProcDir(tree, caller);
        default -> {
          Function<Proc, Node> part = tree.mounts.get(name);
          if (part == null) {
            throw new FsException(Errno.ENOENT, "no /" + name);
          }
          yield part.apply(caller);
        }
      };
    }

    @Override
    public List<DirEntry> list(String cursor, int max) throws FsException {
      NavigableMap<String, Boolean> names = new TreeMap<>();
      for (String n : FIXED) {
        names.put(n, true);
      }
      for (String n : tree.mounts.keySet()) {
        names.put(n, lookup(n) instanceof Dir);
      }
      return Listing.page(names, cursor, max, isDir -> isDir);
    }
  }
}
