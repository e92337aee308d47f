package dev.lunar.fs.fuse;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Mounts a {@link TestTree} for scripts/bench-fuse, for the tests that need a mount in another
 * process, and for trying the adapter by hand: {@code DemoMount MOUNTPOINT [--debug]
 * [--no-auto-unmount]}. It adds {@code small} (read-only text) and {@code out} (written through) at
 * the top, cached for 10 s; the same two under {@code brief/}, cached for 1 ms (one kernel tick);
 * and under {@code live/}, which nothing caches. Prints {@code mounted} once the mount answers, and
 * unmounts when standard input ends, or on SIGTERM.
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
    for (var dir :
        List.of(Map.entry("brief", Duration.ofMillis(1)), Map.entry("live", Duration.ZERO))) {
      TestTree.Folder folder = new TestTree.Folder(dir.getValue());
      folder.put("small", new TestTree.Fixed("hello small file\n", 0644, dir.getValue()));
      folder.put("out", new TestTree.Doc(dir.getValue()));
      tree.root.put(dir.getKey(), folder);
    }
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
