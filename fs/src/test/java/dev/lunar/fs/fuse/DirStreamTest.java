package dev.lunar.fs.fuse;

import static dev.lunar.fs.fuse.LibFuse.MEMORY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Directory pages as the kernel reads them: struct fuse_dirent records, continued by offset. */
class DirStreamTest {
  static final int PAGE = 4096;
  final long buf = MEMORY.allocateMemory(PAGE, true);
  final DirStream big = new DirStream(new TestTree.Big(1000), 77, 1);

  @AfterEach
  void free() {
    MEMORY.freeMemory(buf);
  }

  record Entry(long ino, long off, String name, int type) {}

  @Test
  void pagesContinueFromTheLastOffsetWithoutGapsOrRepeats() throws Exception {
    List<Entry> all = new ArrayList<>();
    long off = 0;
    for (List<Entry> page; !(page = fill(big, off, PAGE)).isEmpty(); ) {
      all.addAll(page);
      off = page.get(page.size() - 1).off();
    }
    assertEquals(1002, all.size());
    assertEquals(".", all.get(0).name());
    assertEquals(77, all.get(0).ino());
    assertEquals("..", all.get(1).name());
    assertEquals(1, all.get(1).ino());
    for (int i = 0; i < 1000; i++) {
      Entry e = all.get(i + 2);
      assertEquals(TestTree.Big.name(i), e.name());
      assertEquals(i + 3, e.off());
      assertEquals(Inodes.childIno(77, e.name()), e.ino());
      assertEquals(8, e.type()); // DT_REG
    }
  }

  @Test
  void anOffsetInsideTheLastPageOrFurtherBackIsFoundAgain() throws Exception {
    List<Entry> first = fill(big, 0, PAGE);
    long middle = first.get(first.size() / 2).off();
    assertEquals(TestTree.Big.name((int) middle - 2), fill(big, middle, PAGE).get(0).name());
    fill(big, first.get(first.size() - 1).off(), PAGE); // move on a page
    assertEquals("f0000005", fill(big, 7, PAGE).get(0).name()); // a seekdir back
    assertEquals(".", fill(big, 0, PAGE).get(0).name()); // rewinddir
  }

  @Test
  void aBufferTooSmallForTheNextEntryGivesNothing() throws Exception {
    assertTrue(fill(big, 2, 16).isEmpty());
    assertEquals(1, fill(big, 2, 40).size());
  }

  @Test
  void directoriesAreMarkedAsSuch() throws Exception {
    TestTree tree = new TestTree(3);
    DirStream root = new DirStream(tree.root, 1, 1);
    List<String> dirs = new ArrayList<>();
    for (Entry e : fill(root, 2, PAGE)) {
      if (e.type() == 4) { // DT_DIR
        dirs.add(e.name());
      }
    }
    assertEquals(List.of("big", "cached", "notes"), dirs);
  }

  private List<Entry> fill(DirStream d, long off, int capacity) throws Exception {
    int used = d.fill(off, buf, capacity);
    List<Entry> out = new ArrayList<>();
    for (int at = 0; at < used; ) {
      long ino = MEMORY.getLong(buf + at);
      long next = MEMORY.getLong(buf + at + 8);
      int len = MEMORY.getInt(buf + at + 16);
      int type = MEMORY.getInt(buf + at + 20);
      byte[] name = new byte[len];
      MEMORY.getByteArray(buf + at + 24, name, 0, len);
      out.add(new Entry(ino, next, new String(name, StandardCharsets.UTF_8), type));
      at += (24 + len + 7) & ~7;
    }
    return out;
  }
}
