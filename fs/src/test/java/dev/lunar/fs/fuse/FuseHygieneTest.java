package dev.lunar.fs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mount hygiene: clear errors for bad mount points, clean unmounts, and no dead mount left behind
 * by a process killed with SIGKILL or stopped with SIGTERM (mounts made by a child JVM).
 */
@Timeout(120)
class FuseHygieneTest {
  @TempDir Path tmp;
  final TestTree tree = new TestTree(10);
  final List<Process> children = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : children) {
      p.destroyForcibly().waitFor();
    }
    try (Stream<Path> dirs = Files.list(tmp)) {
      for (Path d : dirs.toList()) {
        if (MountPoint.mountedType(d) != null) {
          MountPoint.unmount(d); // a failed test must not leave a mount behind
        }
      }
    }
  }

  @Test
  void aBadMountPointIsAClearError() throws Exception {
    FuseOptions o = FuseOptions.defaults();
    var missing = assertThrows(NoSuchFileException.class, () -> mount(tmp.resolve("none"), o));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    Path file = Files.writeString(tmp.resolve("file"), "x");
    var notDir = assertThrows(FileSystemException.class, () -> mount(file, o));
    assertTrue(
        notDir.getMessage().endsWith(": the mount point is not a directory"), notDir.getMessage());
    Path full = Files.createDirectory(tmp.resolve("full"));
    Files.writeString(full.resolve("x"), "x");
    var notEmpty = assertThrows(DirectoryNotEmptyException.class, () -> mount(full, o));
    assertTrue(notEmpty.getMessage().contains("not empty"), notEmpty.getMessage());
    Path dir = Files.createDirectory(tmp.resolve("mnt"));
    try (FuseMount m = mount(dir, o)) {
      var busy = assertThrows(FileSystemException.class, () -> mount(dir, o));
      assertTrue(busy.getMessage().contains("mounted there already"), busy.getMessage());
      assertTrue(m.isLive());
    }
  }

  @Test
  void closeUnmountsOnceAndLeavesTheEmptyDirectory() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("mnt"));
    FuseMount m = mount(dir, FuseOptions.defaults());
    assertEquals("fuse.lunar", MountPoint.mountedType(dir));
    assertTrue(Files.exists(dir.resolve("static.txt")));
    m.close();
    m.close();
    assertNull(MountPoint.mountedType(dir));
    assertFalse(m.isLive());
    try (Stream<Path> entries = Files.list(dir)) {
      assertEquals(0, entries.count());
    }
  }

  @Test
  void closeEndsAReadThatWaitsAndUnmountsAnyway() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("mnt"));
    FuseMount m = mount(dir, FuseOptions.defaults());
    Process cat = new ProcessBuilder("cat", dir.resolve("mailbox").toString()).start();
    children.add(cat);
    for (int i = 0; i < 500 && m.stats().get("read") == 0; i++) {
      Thread.sleep(10);
    }
    m.close();
    assertTrue(cat.waitFor(30, TimeUnit.SECONDS), "cat still blocked after the unmount");
    assertTrue(cat.exitValue() != 0);
    assertNull(MountPoint.mountedType(dir));
  }

  @Test
  void aDeadMountFromAKilledJvmIsClearedByTheNextMount() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("mnt"));
    Process child = demo(dir, "--no-auto-unmount");
    child.destroyForcibly().waitFor(); // kill -9: no hook runs, nothing unmounts
    assertEquals("fuse.lunar", MountPoint.mountedType(dir));
    // ls, not stat: the kernel may answer a stat of the root from its cache.
    Bash.Result dead = new Bash(dir, tmp).run("ls \"$M\"");
    assertTrue(dead.err().contains("Transport endpoint is not connected"), dead + " " + stderr());

    try (FuseMount m = mount(dir, FuseOptions.defaults())) {
      assertEquals("hello, static\n", Files.readString(dir.resolve("static.txt")));
    }
    assertNull(MountPoint.mountedType(dir));
  }

  @Test
  void autoUnmountClearsTheMountOfAKilledJvm() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("mnt"));
    Process child = demo(dir);
    child.destroyForcibly().waitFor();
    // fusermount, left waiting on the dead process's socket, unmounts: soon, not at once.
    for (int i = 0; i < 1000 && MountPoint.mountedType(dir) != null; i++) {
      Thread.sleep(10);
    }
    assertNull(MountPoint.mountedType(dir));
  }

  @Test
  void sigtermUnmountsThroughTheShutdownHook() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("mnt"));
    Process child = demo(dir, "--no-auto-unmount");
    child.destroy(); // SIGTERM
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    assertNull(MountPoint.mountedType(dir), this::stderr);
  }

  @Test
  void theMountIsPrivateUnlessAllowOther() throws Exception {
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    Assumptions.assumeTrue(uid.equals(0), "acting as another user (setpriv) needs root");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dir = Files.createDirectory(tmp.resolve("mnt"));
    String asNobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ls \"$M\"";
    try (FuseMount m = mount(dir, FuseOptions.defaults())) {
      Bash.Result r = new Bash(dir, tmp).run(asNobody);
      assertTrue(r.err().contains("Permission denied"), r.err());
    }
    try (FuseMount m = mount(dir, FuseOptions.defaults().withAllowOther(true))) {
      assertTrue(new Bash(dir, tmp).run(asNobody).ok().out().contains("static.txt"));
    }
  }

  @Test
  void mountinfoEscapesAreDecoded() {
    assertEquals("/tmp/a b\tc\\d", MountPoint.unescape("/tmp/a\\040b\\011c\\134d"));
    assertEquals("/tmp/é", MountPoint.unescape("/tmp/\u00c3\u00a9"));
  }

  private FuseMount mount(Path dir, FuseOptions options) throws IOException {
    return FuseMount.mount(tree.root, dir, options);
  }

  /** A child JVM running {@link DemoMount} on {@code dir}, once its mount answers. */
  private Process demo(Path dir, String... flags) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp",
                System.getProperty("java.class.path"),
                DemoMount.class.getName(),
                dir.toString()));
    command.addAll(List.of(flags));
    Process p = new ProcessBuilder(command).redirectError(tmp.resolve("demo.err").toFile()).start();
    children.add(p);
    var out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    String line = out.readLine();
    assertEquals("mounted", line, () -> "demo mount failed: " + stderr());
    return p;
  }

  private String stderr() {
    try {
      return Files.readString(tmp.resolve("demo.err"));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
