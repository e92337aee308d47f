package dev.lunar.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;

/** An in-memory directory of directories and text files, for unit tests. */
final class MemDir implements Dir {
  final TreeMap<String, Node> children = new TreeMap<>();

  MemDir dir(String name) {
    return (MemDir) children.computeIfAbsent(name, n -> new MemDir());
  }

  MemDir file(String name, String text) {
    children.put(name, new Text(text));
    return this;
  }

  @Override
  public Node lookup(String name) throws FsException {
    Node n = children.get(name);
    if (n == null) {
      throw new FsException(Errno.ENOENT, "no " + name);
    }
    return n;
  }

  @Override
  public List<DirEntry> list(String cursor, int max) {
    return Listing.page(children, cursor, max, n -> n instanceof Dir);
  }

  @Override
  public void unlink(String name) {
    children.remove(name);
  }

  @Override
  public void mkdir(String name) {
    dir(name);
  }

  @Override
  public void rmdir(String name) {
    children.remove(name);
  }

  record Text(String text) implements File {
    @Override
    public Handle open(OpenMode mode) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      return new Handle() {
        @Override
        public int read(ByteBuffer dst, long offset, boolean block) {
          int n = (int) Math.max(0, Math.min(dst.remaining(), bytes.length - offset));
          dst.put(bytes, (int) offset, n);
          return n;
        }

        @Override
        public int write(ByteBuffer src, long offset) {
          int n = src.remaining();
          src.position(src.limit());
          return n;
        }
      };
    }

    @Override
    public Stat stat() {
      return Stat.file(text.length(), 0644, 0);
    }
  }
}
