package dev.lunar.jmh;

import dev.lunar.fs.Dir;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Grant;
import dev.lunar.fs.Grants;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.Node;
import dev.lunar.fs.Paths;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.ProcessBody;
import dev.lunar.runtime.proc.SpawnOptions;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Resolving a path in a node's synthetic tree with {@link Namespace#walk}, as every WASI {@code
 * path_open} and every FUSE lookup does: once from the host's root, and once from a process's root,
 * which goes through its grants ({@link Namespace#view}): {@code /bin} read-only, plus its own
 * {@code /proc} entry, as every process has. The node has {@code procs} idle Java-bodied processes;
 * the walking process is the last of them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TreeWalkBench {
  /** {@code PID} stands for the walking process's own pid. */
  @Param({"bin/hello.wasm", "proc/PID/status"})
  String path;

  @Param({"1000"})
  int procs;

  private dev.lunar.runtime.proc.Node node;
  private Dir host;
  private Dir process;
  private List<String> segments;

  @Setup
  public void setup() throws Exception {
    node = new dev.lunar.runtime.proc.Node(NodeConfig.defaults());
    var bin = new ModuleCatalog(ModuleLoader.inMemory(false));
    bin.bundle("hello", () -> new byte[0]); // looked up, never loaded
    Tree.install(node, bin, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
    ProcessBody idle = self -> self.receive("stop", -1);
    for (int i = 1; i < procs; i++) {
      node.spawn("idle", idle, SpawnOptions.DEFAULT);
    }
    var grants = new Grants(List.of(Grant.parse("/bin:ro")));
    Proc walker = node.spawn("walker", idle, SpawnOptions.DEFAULT.withGrants(grants));
    host = node.hostTree();
    process = node.treeFor(walker);
    segments = Paths.split(path.replace("PID", Long.toString(walker.pid())));
  }

  @Benchmark
  public Node fromHost() throws FsException {
    return Namespace.walk(host, segments);
  }

  @Benchmark
  public Node fromProcess() throws FsException {
    return Namespace.walk(process, segments);
  }

  @TearDown
  public void close() {
    node.close();
  }
}
