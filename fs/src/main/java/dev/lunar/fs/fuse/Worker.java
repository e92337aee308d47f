package dev.lunar.fs.fuse;

import static dev.lunar.fs.fuse.LibFuse.MEMORY;

import dev.lunar.fs.Stat;
import java.nio.ByteBuffer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FileStat;

/**
 * One receiving thread's native buffers, and the replies written from them: a request buffer, a
 * data buffer for reads and directory pages, and the {@code struct stat} and {@code struct
 * fuse_entry_param} a reply needs. Allocated once per thread, so a request allocates no native
 * memory. Confined to its thread, except {@link #busySince}.
 */
final class Worker {
  /** Largest read reply: the kernel asks for at most 32 pages per request from libfuse 2. */
  static final int DATA_SIZE = 128 * 1024;

  private static final int STAT_SIZE = Struct.size(new FileStat(Runtime.getSystemRuntime()));
  // struct fuse_entry_param: ino, generation, struct stat attr, double attr_timeout, entry_timeout
  private static final int ENTRY_ATTR = 16;
  private static final int ENTRY_SIZE = ENTRY_ATTR + STAT_SIZE + 16;
  // struct fuse_open_out (fuse_kernel.h): u64 fh, u32 open_flags, u32 padding
  private static final int OPEN_OUT_SIZE = 16;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;

  final Thread thread;

  /** System.nanoTime() when the request being run started, 0 when none is. */
  volatile long busySince;

  final long request;
  final long requestSize;

  /** A {@code struct fuse_chan *} that fuse_chan_recv reads and writes. */
  final long channel;

  private final long uid;
  private final long gid;
  private final long stat;
  private final FileStat statView;
  private final long entry;
  private final FileStat entryView;
  private final long openOut;
  private final long data;
  private final ByteBuffer dataView;

  Worker(Thread thread, long requestSize, long uid, long gid) {
    this.thread = thread;
    this.requestSize = requestSize;
    this.uid = uid;
    this.gid = gid;
    request = MEMORY.allocateMemory(requestSize, false);
    channel = MEMORY.allocateMemory(8, true);
    stat = MEMORY.allocateMemory(STAT_SIZE, true);
    entry = MEMORY.allocateMemory(ENTRY_SIZE, true);
    openOut = MEMORY.allocateMemory(OPEN_OUT_SIZE, true);
    data = MEMORY.allocateMemory(DATA_SIZE, false);
    var memory = Runtime.getSystemRuntime().getMemoryManager();
    statView = FileStat.of(memory.newPointer(stat, STAT_SIZE));
    entryView = FileStat.of(memory.newPointer(entry + ENTRY_ATTR, STAT_SIZE));
    dataView = MEMORY.newDirectByteBuffer(data, DATA_SIZE);
  }

  /** The data buffer, cleared and limited to {@code size} bytes. */
  ByteBuffer data(long size) {
    return dataView.clear().limit((int) Math.min(size, DATA_SIZE));
  }

  long dataAddress() {
    return data;
  }

  int replyData(LibFuse.Api api, long req, int length) {
    return api.fuse_reply_buf(req, data, length);
  }

  int replyEntry(LibFuse.Api api, long req, long id, long ino, Stat s, long size, double timeout) {
    fillEntry(id, ino, s, size, timeout);
    return api.fuse_reply_entry(req, entry);
  }

  int replyCreate(
      LibFuse.Api api, long req, long id, long ino, Stat s, long size, double timeout, long fi) {
    fillEntry(id, ino, s, size, timeout);
    return api.fuse_reply_create(req, entry, fi);
  }

  int replyAttr(LibFuse.Api api, long req, long ino, Stat s, long size, double timeout) {
    fill(statView, ino, s, size);
    return api.fuse_reply_attr(req, stat, timeout);
  }

  /**
   * Answers an open with {@code struct fuse_open_out} written here rather than by fuse_reply_open,
   * which knows only libfuse 2's three flags: this way FOPEN_NOFLUSH and FOPEN_STREAM reach the
   * kernel too.
   */
  int replyOpen(LibFuse.Api api, long req, long fh, int openFlags) {
    MEMORY.putLong(openOut, fh);
    MEMORY.putInt(openOut + 8, openFlags);
    MEMORY.putInt(openOut + 12, 0);
    return api.fuse_reply_buf(req, openOut, OPEN_OUT_SIZE);
  }

  private void fillEntry(long id, long ino, Stat s, long size, double timeout) {
    MEMORY.putLong(entry, id);
    MEMORY.putLong(entry + 8, 0); // generation: ids are never reused within a mount
    fill(entryView, ino, s, size);
    MEMORY.putDouble(entry + ENTRY_ATTR + STAT_SIZE, timeout);
    MEMORY.putDouble(entry + ENTRY_ATTR + STAT_SIZE + 8, timeout);
  }

  private void fill(FileStat st, long ino, Stat s, long size) {
    st.st_dev.set(0);
    st.st_ino.set(ino);
    st.st_mode.set((s.dir() ? S_IFDIR : S_IFREG) | Callers.shown(s.mode()));
    st.st_nlink.set(s.dir() ? 2 : 1);
    st.st_uid.set(uid);
    st.st_gid.set(gid);
    st.st_rdev.set(0);
    st.st_size.set(size);
    st.st_blksize.set(4096);
    st.st_blocks.set((size + 511) / 512);
    long sec = Math.floorDiv(s.modifiedMillis(), 1000);
    long nsec = Math.floorMod(s.modifiedMillis(), 1000) * 1_000_000L;
    st.st_atim.tv_sec.set(sec);
    st.st_atim.tv_nsec.set(nsec);
    st.st_mtim.tv_sec.set(sec);
    st.st_mtim.tv_nsec.set(nsec);
    st.st_ctim.tv_sec.set(sec);
    st.st_ctim.tv_nsec.set(nsec);
  }

  /** The {@code struct stat} at {@code address} (setattr's new values). */
  static FileStat statAt(long address) {
    return FileStat.of(
        Runtime.getSystemRuntime().getMemoryManager().newPointer(address, STAT_SIZE));
  }

  void free() {
    MEMORY.freeMemory(request);
    MEMORY.freeMemory(channel);
    MEMORY.freeMemory(stat);
    MEMORY.freeMemory(entry);
    MEMORY.freeMemory(openOut);
    MEMORY.freeMemory(data);
  }
}
