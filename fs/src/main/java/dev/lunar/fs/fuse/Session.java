package dev.lunar.fs.fuse;

import static dev.lunar.fs.fuse.LibFuse.MEMORY;

import java.io.IOException;
import java.util.List;

/**
 * One mount's libfuse objects: the channel (the open {@code /dev/fuse} and the mount) and the
 * low-level session that decodes requests and calls {@link Ops}. Requests are read and run by
 * {@link Receivers} through {@link #receive} and {@link #process}, from any number of threads.
 */
final class Session implements Receivers.Source {
  private final LibFuse.Api api;
  private final String mountPoint;
  private final long channel;
  private final long session;

  private Session(LibFuse.Api api, String mountPoint, long channel, long session) {
    this.api = api;
    this.mountPoint = mountPoint;
    this.channel = channel;
    this.session = session;
  }

  /** Mounts with the command-line style {@code args} (argv[0] first). */
  static Session mount(String mountPoint, List<String> args, Ops ops) throws IOException {
    LibFuse.Api api = LibFuse.api();
    long fuseArgs = MEMORY.allocateMemory(24, true); // struct fuse_args {argc, argv, allocated}
    try {
      for (String a : args) {
        if (api.fuse_opt_add_arg(fuseArgs, a) != 0) {
          throw new IOException("libfuse: out of memory");
        }
      }
      long ch = api.fuse_mount(mountPoint, fuseArgs);
      if (ch == 0) {
        throw new IOException(
            "libfuse could not mount " + mountPoint + " (its reason is on standard error)");
      }
      long se = api.fuse_lowlevel_new(fuseArgs, ops.address(), ops.size(), 0);
      if (se == 0) {
        api.fuse_unmount(mountPoint, ch);
        throw new IOException("libfuse refused the options " + args);
      }
      api.fuse_session_add_chan(se, ch);
      return new Session(api, mountPoint, ch, se);
    } finally {
      api.fuse_opt_free_args(fuseArgs);
      MEMORY.freeMemory(fuseArgs);
    }
  }

  /** Size of a request buffer: the largest write plus a page for headers. */
  long bufferSize() {
    return api.fuse_chan_bufsize(channel);
  }

  @Override
  public int receive(Worker w) {
    MEMORY.putAddress(w.channel, channel);
    return api.fuse_chan_recv(w.channel, w.request, w.requestSize);
  }

  @Override
  public void process(Worker w, int length) {
    api.fuse_session_process(session, w.request, length, MEMORY.getAddress(w.channel));
  }

  /**
   * Frees the session and unmounts: closing the device aborts whatever the kernel still had queued,
   * then the mount is detached (lazily, so a process with its working directory inside does not
   * keep it). Only once no thread is inside {@link #receive} or {@link #process}.
   */
  void close() {
    api.fuse_session_remove_chan(channel);
    api.fuse_session_destroy(session);
    api.fuse_unmount(mountPoint, channel);
  }
}
