package dev.lunar.fs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.fs.fuse.Inodes.Inode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InodesTest {
  final TestTree.Folder root = new TestTree.Folder(Duration.ZERO);
  final Inodes inodes = new Inodes(root);
  final TestTree.Doc a = new TestTree.Doc(Duration.ZERO);
  final TestTree.Doc b = new TestTree.Doc(Duration.ZERO);

  @Test
  void aNameKeepsItsIdWhileRememberedAndTheNewestNode() throws Exception {
    Inode r = inodes.get(Inodes.ROOT);
    Inode first = inodes.remember(r, "a", a);
    Inode again = inodes.remember(r, "a", b);
    assertSame(first, again);
    assertSame(b, again.node);
    assertEquals(Inodes.childIno(Inodes.ROOT, "a"), first.ino);
    inodes.forget(first.id, 1);
    assertSame(first, inodes.get(first.id)); // one lookup still held
    inodes.forget(first.id, 1);
    FsException e = assertThrows(FsException.class, () -> inodes.get(first.id));
    assertEquals(Errno.ENOENT, e.errno());
    Inode later = inodes.remember(r, "a", a);
    assertNotEquals(first.id, later.id); // ids are not reused
    assertEquals(first.ino, later.ino); // inode numbers are the path's
  }

  @Test
  void aRemovedNameGetsANewIdAndTheOldOneLivesUntilForgotten() throws Exception {
    Inode r = inodes.get(Inodes.ROOT);
    Inode old = inodes.remember(r, "a", a);
    inodes.removed(Inodes.ROOT, "a");
    Inode fresh = inodes.remember(r, "a", b);
    assertNotEquals(old.id, fresh.id);
    assertSame(a, inodes.get(old.id).node); // an open, unlinked file still works
    inodes.forget(old.id, 1);
    assertSame(fresh, inodes.get(fresh.id)); // forgetting the old id leaves the new name alone
    assertSame(fresh, inodes.remember(r, "a", b));
  }

  @Test
  void aRenameMovesTheIdAndReplacesTheTarget() throws Exception {
    Inode r = inodes.get(Inodes.ROOT);
    Inode moving = inodes.remember(r, "a", a);
    Inode replaced = inodes.remember(r, "b", b);
    inodes.renamed(Inodes.ROOT, "a", "b", a);
    assertSame(moving, inodes.remember(r, "b", a));
    assertNotEquals(moving.id, inodes.remember(r, "a", b).id);
    inodes.forget(replaced.id, 1);
    assertSame(moving, inodes.remember(r, "b", a));
  }

  @Test
  void aFileReplacedByADirectoryGetsANewId() throws Exception {
    Inode r = inodes.get(Inodes.ROOT);
    Inode file = inodes.remember(r, "x", a);
    Inode dir = inodes.remember(r, "x", new TestTree.Folder(Duration.ZERO));
    assertNotEquals(file.id, dir.id);
  }

  @Test
  void theRootIsNeverForgotten() throws Exception {
    inodes.forget(Inodes.ROOT, 100);
    assertSame(root, inodes.get(Inodes.ROOT).node);
    assertEquals(1, inodes.size());
  }

  @Test
  void inodeNumbersAvoidZeroAndTheRoot() {
    for (int i = 0; i < 10_000; i++) {
      long ino = Inodes.childIno(i, "n" + i);
      assertNotEquals(0, ino);
      assertNotEquals(Inodes.ROOT, ino);
    }
  }
}
