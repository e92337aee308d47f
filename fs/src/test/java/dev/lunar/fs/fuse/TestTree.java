package dev.lunar.fs.fuse;

import dev.lunar.fs.Dir;
import dev.lunar.fs.DirEntry;
import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Listing;
import dev.lunar.fs.Node;
import dev.lunar.fs.OpenMode;
import dev.lunar.fs.Stat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An in-memory tree with one of each kind of file the adapter must serve: a cached static file, a
 * read-only file, a live file whose content grows at every open, a stream (a mailbox whose read
 * waits for a message), a writable directory whose files commit at flush, and a directory of a
 * million computed names.
 */
final class TestTree {
  static final Duration STATIC = Duration.ofSeconds(10);

  final Mailbox mailbox = new Mailbox();
  final Folder notes = new Folder(Duration.ZERO);
  final Folder root = new Folder(STATIC);
  final AtomicInteger liveOpens = new AtomicInteger();
  final Slow slow = new Slow();

  TestTree(int bigSize) {
    root.put("static.txt", new Fixed("hello, static\n", 0644, STATIC));
    root.put("readonly.txt", new Fixed("do not touch\n", 0444, Duration.ZERO));
    root.put("live.txt", new Live());
    root.put("mailbox", mailbox);
    root.put("notes", notes);
    root.put("big", new Big(bigSize));
    root.put("cached", new Folder(STATIC));
    root.put("slow", slow);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A directory held in a sorted map; files created here commit at flush. */
  static final class Folder implements Dir {
    final ConcurrentSkipListMap<String, Node> children = new ConcurrentSkipListMap<>();
    private final Duration cache;

    Folder(Duration cache) {
      this.cache = cache;
    }

    void put(String name, Node node) {
      children.put(name, node);
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
    public Handle create(String name, OpenMode mode, boolean exclusive) throws FsException {
      Node n = children.get(name);
      if (n != null && exclusive) {
        throw new FsException(Errno.EEXIST, name + " exists");
      }
      if (n instanceof Dir) {
        throw new FsException(Errno.EISDIR, name + " is a directory");
      }
      if (n == null) {
        n = new Doc(cache);
        children.put(name, n);
      }
      return ((File) n).open(mode);
    }

    @Override
    public void mkdir(String name) throws FsException {
      if (children.putIfAbsent(name, new Folder(cache)) != null) {
        throw new FsException(Errno.EEXIST, name + " exists");
      }
    }

    @Override
    public void unlink(String name) throws FsException {
      if (lookup(name) instanceof Dir) {
        throw new FsException(Errno.EISDIR, name + " is a directory");
      }
      children.remove(name);
    }

    @Override
    public void rmdir(String name) throws FsException {
      if (!(lookup(name) instanceof Folder f)) {
        throw new FsException(Errno.ENOTDIR, name + " is not a directory");
      }
      if (!f.children.isEmpty()) {
        throw new FsException(Errno.ENOTEMPTY, name + " is not empty");
      }
      children.remove(name);
    }

    @Override
    public void rename(String from, String to) throws FsException {
      Node n = lookup(from);
      children.put(to, n);
      children.remove(from);
    }

    @Override
    public Duration cacheFor() {
      return cache;
    }
  }

  /** A file whose content a handle replaces at flush: until then, readers see the old one. */
  static final class Doc implements File {
    volatile byte[] content = new byte[0];
    volatile long modified = System.currentTimeMillis();
    final AtomicInteger commits = new AtomicInteger();
    private final Duration cache;

    Doc(Duration cache) {
      this.cache = cache;
    }

    String text() {
      return new String(content, StandardCharsets.UTF_8);
    }

    @Override
    public Handle open(OpenMode mode) {
      return new Handle() {
        byte[] data = mode.truncate() ? new byte[0] : content;
        int size = data.length;
        boolean dirty = mode.truncate();

        @Override
        public int read(ByteBuffer dst, long offset, boolean block) {
          int n = (int) Math.max(0, Math.min(dst.remaining(), size - offset));
          dst.put(data, (int) offset, n);
          return n;
        }

        @Override
        public int write(ByteBuffer src, long offset) throws FsException {
          int n = src.remaining();
          if (offset + n > 64 << 20) {
            throw new FsException(Errno.EFBIG, "test files hold 64 MiB");
          }
          if (offset + n > data.length) {
            data = Arrays.copyOf(data, (int) Math.max(offset + n, data.length * 2L));
          }
          src.get(data, (int) offset, n);
          size = (int) Math.max(size, offset + n);
          dirty = true;
          return n;
        }

        @Override
        public void truncate(long newSize) {
          data = Arrays.copyOf(data, (int) newSize);
          size = (int) newSize;
          dirty = true;
        }

        @Override
        public long size() {
          return size;
        }

        @Override
        public void flush() {
          if (dirty) {
            content = Arrays.copyOf(data, size);
            modified = System.currentTimeMillis();
            commits.incrementAndGet();
            dirty = false;
          }
        }

        @Override
        public void abandon() {
          dirty = false; // as a key-value writer's: what was not committed is dropped
        }

        @Override
        public void close() {
          flush();
        }
      };
    }

    @Override
    public Stat stat() {
      return Stat.file(content.length, 0644, modified);
    }

    @Override
    public Duration cacheFor() {
      return cache;
    }
  }

  /** Fixed text. */
  record Fixed(String text, int mode, Duration cacheFor) implements File {
    @Override
    public Handle open(OpenMode mode) {
      byte[] b = bytes(text);
      return new Handle() {
        @Override
        public int read(ByteBuffer dst, long offset, boolean block) {
          int n = (int) Math.max(0, Math.min(dst.remaining(), b.length - offset));
          dst.put(b, (int) offset, n);
          return n;
        }

        @Override
        public long size() {
          return b.length;
        }
      };
    }

    @Override
    public Stat stat() {
      return Stat.file(bytes(text).length, mode, 0);
    }
  }

  /** Text computed at each open, one line longer each time: its stat size is always stale. */
  final class Live implements File {
    @Override
    public Handle open(OpenMode mode) {
      int n = liveOpens.incrementAndGet();
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= n; i++) {
        sb.append("open ").append(i).append('\n');
      }
      return new Fixed(sb.toString(), 0444, Duration.ZERO).open(mode);
    }

    @Override
    public Stat stat() {
      return Stat.file(7, 0444, System.currentTimeMillis());
    }
  }

  /** A stream: a write queues one message; a read takes one, or waits for one. */
  static final class Mailbox implements File {
    final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
    final AtomicInteger taken = new AtomicInteger();

    void send(String message) {
      queue.add(bytes(message));
      for (Thread t; (t = waiters.poll()) != null; ) {
        LockSupport.unpark(t);
      }
    }

    @Override
    public Handle open(OpenMode mode) {
      return new Handle() {
        @Override
        public boolean stream() {
          return true;
        }

        @Override
        public boolean wholeWrites() {
          return true;
        }

        @Override
        public int read(ByteBuffer dst, long offset, boolean block) throws FsException {
          byte[] m = queue.poll();
          if (m == null) {
            throw new FsException(Errno.EAGAIN, "no message waiting");
          }
          taken.incrementAndGet();
          int n = Math.min(m.length, dst.remaining());
          dst.put(m, 0, n);
          return n;
        }

        @Override
        public int write(ByteBuffer src, long offset) {
          byte[] m = new byte[src.remaining()];
          src.get(m);
          send(new String(m, StandardCharsets.UTF_8));
          return m.length;
        }

        @Override
        public boolean readable(Thread waiter) {
          if (!queue.isEmpty()) {
            return true;
          }
          waiters.add(waiter);
          return !queue.isEmpty();
        }
      };
    }

    @Override
    public Stat stat() {
      return Stat.stream(0666, 0);
    }
  }

  /** A file whose open waits for {@link #gate}: a request that holds its thread. */
  static final class Slow implements File {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public Handle open(OpenMode mode) throws FsException {
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new FsException(Errno.EINTR, "interrupted");
      }
      return new Fixed("slow\n", 0444, Duration.ZERO).open(mode);
    }

    @Override
    public Stat stat() {
      return Stat.file(5, 0444, 0);
    }
  }

  /** {@code f0000000}… computed from the cursor: listing it stores nothing. */
  record Big(int size) implements Dir {
    static String name(int i) {
      return String.format("f%07d", i);
    }

    @Override
    public Node lookup(String name) throws FsException {
      int i = index(name);
      if (i < 0 || i >= size) {
        throw new FsException(Errno.ENOENT, "no " + name);
      }
      return new Fixed(name + "\n", 0444, STATIC);
    }

    @Override
    public List<DirEntry> list(String cursor, int max) {
      int from = cursor == null ? 0 : index(cursor) + 1;
      List<DirEntry> out = new ArrayList<>();
      for (int i = from; i < size && out.size() < max; i++) {
        out.add(new DirEntry(name(i), false, name(i)));
      }
      return out;
    }

    private static int index(String name) {
      if (name.length() != 8 || name.charAt(0) != 'f') {
        return -1;
      }
      try {
        return Integer.parseInt(name.substring(1));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
