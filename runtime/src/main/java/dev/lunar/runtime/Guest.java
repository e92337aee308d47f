package dev.lunar.runtime;

import dev.lunar.kv.KvStore;
import dev.lunar.kv.MemKvStore;
import dev.lunar.kv.tree.KvDir;
import dev.lunar.runtime.metrics.Metrics;
import dev.lunar.runtime.metrics.MetricsFile;
import dev.lunar.runtime.net.Net;
import dev.lunar.runtime.net.NetConfig;
import dev.lunar.runtime.proc.NoProcException;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.RegistryException;
import dev.lunar.runtime.proc.SpawnOptions;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;

/**
 * Runs one WASI command module as the only process of a fresh node and waits for it to end: what
 * {@code lunar run} does.
 */
public final class Guest {
  private Guest() {}

  /** Runs {@code module} with the default limits. */
  public static ExitReason run(LoadedModule module, GuestSpec spec) throws ModuleException {
    return run(module, spec, NodeConfig.defaults(), SpawnOptions.DEFAULT, null);
  }

  /**
   * Runs {@code module} and waits for it to end. The process sees the node's tree ({@code /proc},
   * {@code /names}, {@code /bin} with the modules of {@code bin}, {@code /kv}, an in-memory store
   * that ends with the run, {@code /metrics} and {@code /net}) through {@code options}' grants;
   * with {@code bin} null there is no tree, as in a plain WASI runtime.
   *
   * @throws ModuleException if the module cannot start: an unknown import, a missing directory,
   *     more memory at start than its limit
   */
  public static ExitReason run(
      LoadedModule module,
      GuestSpec spec,
      NodeConfig config,
      SpawnOptions options,
      ModuleCatalog bin)
      throws ModuleException {
    try (Node node = new Node(config);
        KvStore kv = new MemKvStore();
        Net net = bin == null ? null : install(node, bin, spec, kv)) {
      var proc = node.spawn(module, spec, options);
      return proc.awaitExit();
    } catch (NoProcException | RegistryException e) {
      throw new ModuleException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitReason.KILLED;
    }
  }

  /** The tree of a node of one's own: {@code /kv} in memory, {@code /metrics}, {@code /net}. */
  private static Net install(Node node, ModuleCatalog bin, GuestSpec spec, KvStore kv) {
    KvDir kvDir = new KvDir(kv);
    Metrics metrics = new Metrics().add(node.stats());
    Tree tree =
        Tree.install(node, bin, spec.stdout(), spec.stderr())
            .mount("kv", caller -> kvDir)
            .mount("metrics", caller -> new MetricsFile(metrics));
    return Net.install(tree, NetConfig.defaults());
  }
}
