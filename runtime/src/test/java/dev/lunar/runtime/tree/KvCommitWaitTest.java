package dev.lunar.runtime.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lunar.kv.Durability;
import dev.lunar.kv.rocks.RocksKvStore;
import dev.lunar.kv.tree.KvDir;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.TestModules;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.ProcState;
import dev.lunar.runtime.proc.SpawnOptions;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest waiting for its key-value commit gives up its run token meanwhile. On a node with one
 * token, the store's committer is held back until another process has run, which it only can if the
 * writer let go: holding on would hang until the timeout (and the writer would never show as
 * waiting).
 */
@Timeout(60)
class KvCommitWaitTest {
  @TempDir Path dir;

  /** Makes the store's committer thread, which starts committing only once {@code ran} opens. */
  private static ThreadFactory heldBackBy(CountDownLatch ran) {
    return r ->
        Thread.ofPlatform()
            .unstarted(() -> {
              try {
                ran.await();
              } catch (InterruptedException e) {
                return;
              }
              r.run();
            });
  }

  @Test
  void aWriterWaitingForItsCommitLetsAnotherProcessRun() throws Exception {
    var ran = new CountDownLatch(1);
    ThreadFactory heldBack = heldBackBy(ran);
    try (Node node = new Node(NodeConfig.defaults().withCarriers(1));
        RocksKvStore store = RocksKvStore.open(dir, Durability.SYNC, heldBack)) {
      try {
        KvDir kv = new KvDir(store);
        var loader = ModuleLoader.inMemory(false);
        var quiet = OutputStream.nullOutputStream();
        Tree.install(node, new ModuleCatalog(loader), quiet, quiet).mount("kv", caller -> kv);
        var writer = loader.load("kvwriter", TestModules.example("kvwriter"));
        // mkdir /kv/b, then open/write/close /kv/b/k1: two commits, each waited for. kvwriter
        // waits for nothing else before its first commit, so once it shows as waiting, it is
        // waiting for that commit.
        Proc w = node.spawn(writer, TestModules.spec(quiet, "b", "1"), SpawnOptions.DEFAULT);
        while (w.state() != ProcState.WAITING) {
          Thread.sleep(1);
        }
        Proc other = node.spawn("other", self -> ran.countDown(), SpawnOptions.DEFAULT);
        assertEquals(ExitReason.NORMAL, other.awaitExit());
        assertEquals(ExitReason.NORMAL, w.awaitExit());
        byte[] value = store.get("b", "k1");
        assertArrayEquals("k1 ".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(value, 3));
      } finally {
        ran.countDown(); // lets the committer run, so that the store closes even after a failure
      }
    }
  }

  /**
   * A bucket's drop waits for its commit without holding the lock other processes meet in {@code
   * /kv}: with one token, a process that blocked on that lock would hold the token the dropper
   * needs to come back (the node froze).
   */
  @Test
  void aDropWaitingForItsCommitHoldsNoOneUp() throws Exception {
    try (RocksKvStore store =
        RocksKvStore.open(dir, Durability.SYNC, Thread.ofPlatform().factory())) {
      store.createBucket("gone");
      store.createBucket("kept");
    }
    var ran = new CountDownLatch(1);
    ThreadFactory heldBack = heldBackBy(ran);
    try (Node node = new Node(NodeConfig.defaults().withCarriers(1));
        RocksKvStore store = RocksKvStore.open(dir, Durability.SYNC, heldBack)) {
      try {
        KvDir kv = new KvDir(store);
        // A Java body, bound to give its token up for the commit as a wasm process is.
        Proc dropper =
            node.spawn(
                "dropper",
                self ->
                    ScopedValue.where(
                            dev.lunar.fs.Waits.WAITER,
                            wait ->
                                self.blocking(() -> {
                                  wait.call();
                                  return null;
                                }))
                        .call(() -> {
                          kv.rmdir("gone");
                          return null;
                        }),
                SpawnOptions.DEFAULT);
        while (dropper.state() != ProcState.WAITING) {
          Thread.sleep(1); // its commit is held back
        }
        var seen = new java.util.concurrent.CompletableFuture<String>();
        Proc other =
            node.spawn(
                "other",
                self -> {
                  var kept = (dev.lunar.fs.Dir) kv.lookup("kept");
                  kept.list(null, 10);
                  var gone = (dev.lunar.fs.Dir) kv.lookup("gone");
                  try {
                    gone.create("k", dev.lunar.fs.OpenMode.WRITE, false).close();
                    seen.complete("created a key in a bucket being dropped");
                  } catch (dev.lunar.fs.FsException e) {
                    seen.complete(e.errno() + " " + e.reason());
                  }
                },
                SpawnOptions.DEFAULT);
        assertEquals(ExitReason.NORMAL, other.awaitExit(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("ENOENT bucket gone is being removed", seen.get());
        ran.countDown();
        assertEquals(ExitReason.NORMAL, dropper.awaitExit());
        assertEquals(false, store.bucketExists("gone"));
      } finally {
        ran.countDown();
      }
    }
  }
}
