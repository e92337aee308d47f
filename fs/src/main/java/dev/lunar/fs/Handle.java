package dev.lunar.fs;

import java.nio.ByteBuffer;

/**
 * An open file.
 *
 * <p>Concurrency contract: one handle is used by one thread at a time (the process that opened it,
 * or one FUSE callback); different handles of the same file may be used concurrently. A read that
 * waits ({@code block} true) parks the calling thread and ends early with an unchecked exception or
 * {@link Errno#EINTR} when that thread is interrupted.
 */
public interface Handle extends AutoCloseable {
  /**
   * A read-only handle on fixed bytes, such as a text taken at open: reads at any offset, and its
   * size is the bytes' length.
   */
  static Handle of(byte[] data) {
    return new Handle() {
      @Override
      public int read(ByteBuffer dst, long offset, boolean block) {
        if (offset >= data.length) {
          return 0;
        }
        int n = (int) Math.min(dst.remaining(), data.length - offset);
        dst.put(data, (int) offset, n);
        return n;
      }

      @Override
      public long size() {
        return data.length;
      }
    };
  }

  /**
   * Reads into {@code dst} from {@code offset} (ignored by streams).
   *
   * @param block wait for data; when false, a stream with nothing to give throws {@link
   *     Errno#EAGAIN}
   * @return bytes read; 0 at the end
   */
  default int read(ByteBuffer dst, long offset, boolean block) throws FsException {
    throw new FsException(Errno.EBADF, "not open for reading");
  }

  /** Writes all of {@code src} at {@code offset} (ignored by streams); returns bytes written. */
  default int write(ByteBuffer src, long offset) throws FsException {
    throw new FsException(Errno.EBADF, "not open for writing");
  }

  /**
   * As {@link #write(ByteBuffer, long)}, for a file opened with {@code O_NONBLOCK} when {@code
   * block} is false: a stream that would wait for room throws {@link Errno#EAGAIN} and writes
   * nothing. Only a handle whose writes may wait overrides it.
   */
  default int write(ByteBuffer src, long offset, boolean block) throws FsException {
    return write(src, offset);
  }

  /**
   * Whether a write may wait for room (a connection whose peer is slow): then {@code write} with
   * {@code block} false throws {@link Errno#EAGAIN} when it would wait, and {@link #writable} says
   * when to try again. A handle whose writes never wait refuses with {@code EAGAIN} for good (a
   * full mailbox).
   */
  default boolean writesWait() {
    return false;
  }

  /**
   * For a handle whose {@link #writesWait}: whether a write of {@code length} bytes would go now;
   * if not, arranges for {@code waiter} to be unparked when there may be room (unparks may be
   * spurious).
   */
  default boolean writable(Thread waiter, int length) {
    return true;
  }

  /**
   * For {@code poll}: true if a write would not wait now (for a handle whose {@link #writesWait}, a
   * write of up to half what it queues); if not, arranges for {@code waiter} to be unparked when
   * that may have changed, as {@link #writable(Thread, int)} does.
   */
  default boolean writable(Thread waiter) {
    return true;
  }

  /** Sets the size, as {@code ftruncate}. */
  default void truncate(long size) throws FsException {
    throw new FsException(Errno.EINVAL, "cannot be truncated");
  }

  /** Current size, for {@code fstat}. */
  default long size() throws FsException {
    return 0;
  }

  /** Reads and writes are whole messages; offsets mean nothing. */
  default boolean stream() {
    return false;
  }

  /**
   * Each write is one unit (a message, a command, a spawn line) that must arrive whole, not in
   * pieces. The FUSE adapter refuses a write to such a handle that the kernel might have split
   * ({@code EMSGSIZE}); a byte stream, such as a connection, takes its writes in any pieces.
   */
  default boolean wholeWrites() {
    return false;
  }

  /**
   * Told when the FUSE adapter refuses a write as too long to arrive whole, before the handle sees
   * it: a handle that counts its own refusals counts this one too.
   */
  default void refusedWhole() {}

  /**
   * For {@code poll}: true if a read would not wait now. When false, {@code waiter} is unparked
   * once that may have changed, if {@link #notifies()}; otherwise the poller checks again later.
   */
  default boolean readable(Thread waiter) {
    return true;
  }

  /** Whether {@link #readable} arranges a wake-up; pollers poll handles that do not. */
  default boolean notifies() {
    return true;
  }

  /**
   * Commits what was written so far, as {@code close(2)} of one descriptor does while others stay
   * open (FUSE's flush). May be called more than once; a file written through the handle commits
   * here (and may fail), so that an error reaches the program that wrote.
   */
  default void flush() throws FsException {}

  /**
   * Ends the handle of a process that crashed or was killed: what was written through it and not
   * yet committed is dropped, not committed half-done. Otherwise as {@link #close}.
   */
  default void abandon() throws FsException {
    close();
  }

  /**
   * Ends the handle; a file written through it and not yet committed commits here (and may fail).
   */
  @Override
  default void close() throws FsException {}
}
