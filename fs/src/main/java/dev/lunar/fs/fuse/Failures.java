package dev.lunar.fs.fuse;

import dev.lunar.fs.FsException;
import dev.lunar.fs.Handle;
import dev.lunar.fs.Node;
import dev.lunar.fs.fuse.OpStats.Op;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * The one error table: an {@link FsException} answers with its Linux errno ({@link
 * dev.lunar.fs.Errno#linux}); anything else is a bug in the tree, answered with {@code EIO} and
 * logged with its stack. A FUSE answer carries no text, so reasons go to the logger {@code
 * dev.lunar.fs.fuse} at DEBUG. Thread-safe.
 */
final class Failures {
  private static final System.Logger LOG = System.getLogger("dev.lunar.fs.fuse");
  private static final int EIO = 5;

  private final LibFuse.Api api;
  private final OpStats stats;

  Failures(LibFuse.Api api, OpStats stats) {
    this.api = api;
    this.stats = stats;
  }

  /** Answers {@code req} with the errno {@code t} stands for. */
  void reply(long req, Op op, Throwable t) {
    stats.error();
    int errno = EIO;
    if (t instanceof FsException e) {
      errno = e.errno().linux();
      LOG.log(Level.DEBUG, () -> op.name().toLowerCase(Locale.ROOT) + ": " + e);
    } else {
      LOG.log(Level.WARNING, op.name().toLowerCase(Locale.ROOT) + " failed: a bug in the tree", t);
    }
    api.fuse_reply_err(req, errno);
  }

  /** Closes (or abandons) a handle whose release reaches no program, logging a failure. */
  void closeLogged(Handle h, boolean abandon) {
    try {
      if (abandon) {
        h.abandon();
      } else {
        h.close();
      }
    } catch (FsException e) {
      stats.error();
      LOG.log(Level.INFO, () -> "close after release: " + e);
    } catch (RuntimeException e) {
      stats.error();
      LOG.log(Level.WARNING, "close after release failed: a bug in the tree", e);
    }
  }

  /** Closes a handle that is being given up because of another failure. */
  static void closeQuietly(Handle h) {
    try {
      h.close();
    } catch (FsException | RuntimeException e) {
      // the failure that made us give it up is the one reported
    }
  }

  /** How long the kernel may cache {@code node}'s attributes and name, in seconds. */
  static double seconds(Node node) {
    return node.cacheFor().toNanos() / 1e9;
  }
}
