package dev.lunar.bench;

import dev.lunar.kv.Durability;
import dev.lunar.kv.rocks.RocksKvStore;
import dev.lunar.kv.tree.KvDir;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A node whose processes see {@code /kv}: a RocksDB store on disk, synced as a node's is by
 * default, in a temporary directory deleted at close, with one bucket, {@code b}.
 */
final class KvNode implements AutoCloseable {
  final Node node = new Node(NodeConfig.defaults());
  final RocksKvStore store;
  final KvDir kv;
  private final Path dir;

  KvNode(ModuleLoader loader) throws Exception {
    dir = Files.createTempDirectory("lunar-kvnode");
    store = RocksKvStore.open(dir, Durability.SYNC, Thread.ofPlatform().factory());
    kv = new KvDir(store);
    var quiet = OutputStream.nullOutputStream();
    Tree.install(node, new ModuleCatalog(loader), quiet, quiet).mount("kv", caller -> kv);
    store.createBucket("b");
  }

  @Override
  public void close() throws Exception {
    try (store) {
      node.close();
    } finally {
      KvBench.delete(dir);
    }
  }
}
