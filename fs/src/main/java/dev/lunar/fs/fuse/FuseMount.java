package dev.lunar.fs.fuse;

import dev.lunar.fs.Dir;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Dir} mounted on a host directory through FUSE (libfuse 2's low-level API, bound with
 * jnr-ffi), so the host's programs ({@code ls}, {@code cat}, {@code echo}, {@code cp}) work on the
 * tree. The adapter only translates: each request becomes calls on the tree, each {@link
 * dev.lunar.fs.FsException} its errno (docs/FUSE.md).
 *
 * <p>Thread-safe. Requests are served by threads from {@link FuseOptions#threads}; any number of
 * tree calls may run at once, each handle used by one request at a time (the kernel's own order).
 * {@link #close} may be called from any thread but one serving a request of this mount.
 */
public final class FuseMount implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.lunar.fs.fuse");
  private static final int MAX_IDLE_THREADS = 4;
  private static final long SLOW_REQUEST_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long START_SECONDS = 10;

  private final Path mountPoint;
  private final Session session;
  private final Receivers receivers;
  private final WaitingReads waits;
  private final OpenFiles files;
  private final FileRequests fileRequests;
  private final OpStats stats;
  private final ThreadFactory threads;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch unmounted = new CountDownLatch(1);
  private Ops ops; // held: jnr-ffi frees a native closure once its Java object is collected
  private volatile Thread hook;

  private FuseMount(
      Path mountPoint,
      Session session,
      Receivers receivers,
      WaitingReads waits,
      OpenFiles files,
      FileRequests fileRequests,
      OpStats stats,
      ThreadFactory threads) {
    this.mountPoint = mountPoint;
    this.session = session;
    this.receivers = receivers;
    this.waits = waits;
    this.files = files;
    this.fileRequests = fileRequests;
    this.stats = stats;
    this.threads = threads;
  }

  /**
   * Checks that {@code mountPoint} can be mounted on, as {@link #mount} does first (clearing a dead
   * FUSE mount there): for a caller that wants to refuse a bad mount point before it does anything
   * else.
   *
   * @throws IOException with a one-line reason: missing, not a directory, not empty, in use
   */
  public static void checkMountPoint(Path mountPoint) throws IOException {
    MountPoint.prepare(MountPoint.canonical(mountPoint));
  }

  /**
   * Mounts {@code root} on {@code mountPoint}, an existing empty directory, and returns once the
   * mount answers. A dead FUSE mount left there by a killed process is cleared first.
   *
   * @throws IOException FUSE is missing here, the mount point is missing, not empty or mounted on,
   *     or the kernel refused the mount; the message says which
   */
  public static FuseMount mount(Dir root, Path mountPoint, FuseOptions options) throws IOException {
    String missing = LibFuse.unavailable();
    if (missing != null) {
      throw new IOException("FUSE is not available: " + missing);
    }
    if (!Files.exists(Path.of("/dev/fuse"))) {
      throw new IOException(
          "FUSE is not available: no /dev/fuse (modprobe fuse, or give the"
              + " container the device)");
    }
    Path dir = MountPoint.canonical(mountPoint);
    MountPoint.prepare(dir);
    long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();

    LibFuse.Api api = LibFuse.api();
    OpStats stats = new OpStats();
    OpenFiles files = new OpenFiles();
    Failures failures = new Failures(api, stats);
    CountDownLatch started = new CountDownLatch(1);
    Inodes inodes = new Inodes(root);
    Callers callers = new Callers(api, uid, options.allowOther());
    FileRequests fileRequests = new FileRequests(api, inodes, files, stats, failures, callers);
    NodeRequests nodeRequests =
        new NodeRequests(api, inodes, files, stats, failures, fileRequests, uid, gid, callers);
    Ops ops = new Ops(started::countDown, nodeRequests, fileRequests);
    Session session = Session.mount(dir.toString(), arguments(options), ops);
    long bufferSize = session.bufferSize();
    Receivers receivers =
        new Receivers(
            session,
            options.threads(),
            t -> new Worker(t, bufferSize, uid, gid),
            MAX_IDLE_THREADS,
            SLOW_REQUEST_NANOS);
    WaitingReads waits = new WaitingReads(api, receivers, stats, files);
    fileRequests.waits(waits);
    FuseMount mount =
        new FuseMount(
            dir, session, receivers, waits, files, fileRequests, stats, options.threads());
    mount.ops = ops;
    receivers.start();
    try {
      if (!started.await(START_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException("the kernel did not start the FUSE session on " + dir);
      }
      Object ino = Files.getAttribute(dir, "unix:ino");
      if (!ino.equals(Inodes.ROOT)) {
        throw new FileSystemException(dir.toString(), null, "the mount does not show the tree");
      }
    } catch (InterruptedException e) {
      mount.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while mounting " + dir, e);
    } catch (IOException | RuntimeException e) {
      mount.close();
      throw e;
    }
    if (options.unmountOnExit()) {
      mount.hook = options.threads().newThread(mount::close);
      Runtime.getRuntime().addShutdownHook(mount.hook);
    }
    return mount;
  }

  /**
   * The most bytes a handle whose writes must be whole ({@link dev.lunar.fs.Handle#wholeWrites})
   * takes in one write. With libfuse 2 a request carries at most 32 pages of the writer's buffer,
   * and 31 pages fit in 32 wherever they start; a longer {@code write(2)} may arrive as two
   * requests, and nothing marks the first as one of two.
   */
  public static final int MAX_WHOLE_WRITE = 31 * 4096;

  private static List<String> arguments(FuseOptions options) {
    List<String> args = new ArrayList<>(List.of("lunar"));
    // big_writes and max_write: a write(2) of up to 128 KiB in 32 pages arrives as one request
    // (one message for a stream). atomic_o_trunc: O_TRUNC comes with the open, not as a separate
    // truncate.
    String o =
        "fsname=lunar,subtype=lunar,big_writes,max_write=131072,max_read=131072,atomic_o_trunc";
    if (options.autoUnmount()) {
      o += ",auto_unmount";
    }
    if (options.allowOther()) {
      o += ",allow_other";
    }
    args.add("-o");
    args.add(o);
    if (options.debug()) {
      args.add("-d");
    }
    return args;
  }

  public Path mountPoint() {
    return mountPoint;
  }

  /** Whether the mount still serves requests: false once closed or unmounted from outside. */
  public boolean isLive() {
    return !closed.get() && !receivers.stopped();
  }

  /**
   * FUSE requests served so far, by kind ({@code lookup}, {@code getattr}, {@code open}, {@code
   * read}, …), then {@code interrupted} (waiting reads ended by a signal) and {@code errors}
   * (requests answered with an errno): a snapshot for /metrics.
   */
  public Map<String, Long> stats() {
    return stats.snapshot();
  }

  /**
   * Unmounts: requests still queued in the kernel fail ({@code ENOTCONN}), waiting reads end,
   * handles still open are closed, and the mount point is detached even if a process has its
   * working directory there. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitUninterruptibly(unmounted); // e.g. the shutdown hook while main closes: wait for it
      return;
    }
    try {
      unmount();
    } finally {
      unmounted.countDown();
    }
    // Only now: a SIGTERM during the unmount runs the hook, which waits for it to finish.
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already
      }
    }
  }

  private void unmount() {
    receivers.stop();
    waits.wakeAll();
    // One request wakes the thread blocked reading /dev/fuse: it answers, sees the stop, ends.
    // Made from another thread, so that close never waits on a mount that no longer answers.
    Path wake = mountPoint.resolve(".lunar-unmount-" + System.nanoTime());
    threads.newThread(() -> Files.exists(wake)).start();
    boolean stopped = false;
    try {
      stopped = receivers.awaitStopped(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (OpenFiles.OpenFile f : files.removeAll()) {
      fileRequests.abandon(f);
    }
    if (stopped) {
      session.close();
    } else {
      // A request is still running inside the tree: its session must stay, only the mount goes.
      LOG.log(Level.WARNING, "unmounting " + mountPoint + " with a request still running");
    }
    try {
      if (MountPoint.mountedType(mountPoint) != null) {
        MountPoint.unmount(mountPoint);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not unmount " + mountPoint + ": " + e.getMessage());
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
