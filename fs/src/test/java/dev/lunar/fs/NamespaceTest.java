package dev.lunar.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceTest {
  private final MemDir tree = new MemDir();

  NamespaceTest() {
    tree.dir("proc").dir("7").file("status", "s7").file("mailbox", "m7");
    tree.dir("proc").dir("8").file("status", "s8").file("mailbox", "m8");
    tree.dir("kv").dir("a").file("k", "v");
    tree.dir("kv").dir("b").file("k", "w");
    tree.dir("bin").file("x.wasm", "x");
  }

  private static Grants grants(String... texts) {
    return new Grants(List.of(texts).stream().map(Grant::parse).toList());
  }

  private static List<String> names(Dir dir) throws FsException {
    return dir.list(null, 100).stream().map(DirEntry::name).toList();
  }

  private static Node walk(Dir root, String path) throws FsException {
    return Namespace.walk(root, Paths.split(path));
  }

  @Test
  void allSeesEverything() throws FsException {
    Dir root = Namespace.view(tree, Grants.ALL);
    assertEquals(List.of("bin", "kv", "proc"), names(root));
    assertInstanceOf(File.class, walk(root, "/kv/b/k"));
  }

  @Test
  void ungrantedPathsDoNotExist() throws FsException {
    Dir root = Namespace.view(tree, grants("/kv/a:ro"));
    assertEquals(List.of("kv"), names(root));
    assertEquals(List.of("a"), names((Dir) walk(root, "/kv")));
    var e = assertThrows(FsException.class, () -> walk(root, "/kv/b/k"));
    assertEquals(Errno.ENOENT, e.errno());
    assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> walk(root, "/bin")).errno());
  }

  @Test
  void readOnlyGrantRefusesWritesAndNarrowsMode() throws FsException {
    Dir root = Namespace.view(tree, grants("/kv/a:ro"));
    File k = (File) walk(root, "/kv/a/k");
    k.open(OpenMode.READ).close();
    assertEquals(
        Errno.EACCES, assertThrows(FsException.class, () -> k.open(OpenMode.WRITE)).errno());
    var both = assertThrows(FsException.class, () -> k.open(OpenMode.READ_WRITE));
    assertEquals("granted ro, not for writing", both.reason()); // the access it lacks
    assertEquals(0444, k.stat().mode());
    Dir a = (Dir) walk(root, "/kv/a");
    assertEquals(Errno.EACCES, assertThrows(FsException.class, () -> a.unlink("k")).errno());
    assertTrue(tree.dir("kv").dir("a").children.containsKey("k"), "nothing removed");
  }

  @Test
  void aGrantedPathMayBeMadeAndRemovedThoughItsParentIsNotWritable() throws FsException {
    Dir root = Namespace.view(tree, grants("/kv/w:rw", "/kv/r:ro"));
    Dir kv = (Dir) walk(root, "/kv");
    kv.mkdir("w");
    assertTrue(tree.dir("kv").children.containsKey("w"));
    assertEquals(List.of("w"), names(kv));
    kv.rmdir("w");
    assertFalse(tree.dir("kv").children.containsKey("w"));
    for (String name : List.of("r", "other")) {
      var e = assertThrows(FsException.class, () -> kv.mkdir(name));
      assertEquals(Errno.EACCES, e.errno(), name);
      assertEquals("/kv is not writable: cannot make " + name, e.reason());
    }
    assertEquals(Errno.EACCES, assertThrows(FsException.class, () -> kv.rmdir("a")).errno());
    assertEquals(Errno.EACCES, assertThrows(FsException.class, () -> kv.rename("w", "a")).errno());
    assertEquals(List.of("a", "b"), List.copyOf(tree.dir("kv").children.keySet()));
  }

  @Test
  void starReachesButDoesNotList() throws FsException {
    Dir root = Namespace.view(tree, grants("/proc/7:rw", "/proc/*/mailbox:wo"));
    assertEquals(List.of("7"), names((Dir) walk(root, "/proc")));
    File other = (File) walk(root, "/proc/8/mailbox");
    other.open(OpenMode.WRITE).close();
    assertEquals(
        Errno.EACCES, assertThrows(FsException.class, () -> other.open(OpenMode.READ)).errno());
    assertEquals(
        Errno.ENOENT, assertThrows(FsException.class, () -> walk(root, "/proc/8/status")).errno());
    walk(root, "/proc/7/status");
  }

  @Test
  void accessOfOverlappingGrantsAddsUp() throws FsException {
    Dir root = Namespace.view(tree, grants("/proc:ro", "/proc/*/mailbox:wo"));
    File mailbox = (File) walk(root, "/proc/8/mailbox");
    mailbox.open(OpenMode.READ_WRITE).close();
    File status = (File) walk(root, "/proc/8/status");
    assertThrows(FsException.class, () -> status.open(OpenMode.WRITE));
  }

  @Test
  void allowsIsTheSubsetCheck() {
    Grants parent = grants("/kv:rw", "/proc:ro");
    assertTrue(parent.allows(Grant.parse("/kv/a:ro")));
    assertTrue(parent.allows(Grant.parse("/proc/7/status:ro")));
    assertFalse(parent.allows(Grant.parse("/proc:rw")));
    assertFalse(parent.allows(Grant.parse("/bin:ro")));
    assertFalse(parent.allows(Grant.parse("/:ro")));
    assertTrue(Grants.ALL.allows(Grant.parse("/proc/*/status:ro")));
    assertFalse(grants("/proc/7:ro").allows(Grant.parse("/proc/*:ro")));
  }

  @Test
  void grantSyntax() {
    assertEquals("/kv/a:rw", Grant.parse("/kv/a").toString());
    assertEquals("/:ro", Grant.parse("/:ro").toString());
    assertThrows(IllegalArgumentException.class, () -> Grant.parse("kv:rw"));
    assertThrows(IllegalArgumentException.class, () -> Grant.parse("/kv:rx"));
  }

  @Test
  void dotDotStaysInTheTree() throws FsException {
    assertEquals(List.of("proc", "new"), Paths.resolve(List.of("proc", "self"), "../new"));
    assertEquals(List.of("a"), Paths.resolve(List.of(), "../../a"));
    assertEquals(
        Errno.ENAMETOOLONG,
        assertThrows(FsException.class, () -> Paths.resolve(List.of(), "x".repeat(256))).errno());
  }
}
