package dev.lunar.fs.fuse;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Mounts a {@link TestTree} for scripts/bench-fuse, for the tests that need a mount in another
 * process, and for trying the adapter by hand: {@code DemoMount MOUNTPOINT [--debug]
 * [--no-auto-unmount]}. It adds {@code small} (cached) and {@code out} (written through) at the
 * top, and the same two under {@code live/}, which nothing caches. Prints {@code mounted} once the
 * mount answers, and unmounts when standard input ends, or on SIGTERM.
 */
public final class DemoMount {
  private DemoMount() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: DemoMount MOUNTPOINT [--debug] [--no-auto-unmount]");
      System.exit(2);
    }
    List<String> flags = List.of(args).subList(1, args.length);
    TestTree tree = new TestTree(1_000_000);
    tree.root.put("small", new TestTree.Fixed("hello small file\n", 0644, TestTree.STATIC));
    tree.root.put("out", new TestTree.Doc(TestTree.STATIC));
    TestTree.Folder live = new TestTree.Folder(Duration.ZERO);
    live.put("small", new TestTree.Fixed("hello small file\n", 0644, Duration.ZERO));
    live.put("out", new TestTree.Doc(Duration.ZERO));
    tree.root.put("live", live);
    FuseOptions options =
        FuseOptions.defaults()
            .withDebug(flags.contains("--debug"))
            .withAutoUnmount(!flags.contains("--no-auto-unmount"));
    try (FuseMount mount = FuseMount.mount(tree.root, Path.of(args[0]), options)) {
      System.out.println("mounted");
      System.out.flush();
      System.in.transferTo(OutputStream.nullOutputStream());
      System.err.println("fuse requests: " + mount.stats());
    }
  }
}
