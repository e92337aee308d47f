package dev.lunar.runtime.wasi;

import com.dylibso.chicory.runtime.Memory;
import dev.lunar.fs.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code poll_oneoff} over any mix of clocks, tree descriptors (mailboxes, tag files, exit files)
 * and host descriptors. The guest's thread parks until something is ready or the earliest clock is
 * due: mailboxes and exit files unpark it when they change; sources that cannot (standard input)
 * are looked at again every {@link #RECHECK_NANOS}. Writing is ready at once, except on a handle
 * that says it is not (a connection with much queued for a slow peer), which unparks the guest when
 * room comes.
 */
final class Poll {
  static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int SUBSCRIPTION = 48;
  private static final int EVENT = 32;
  private static final int CLOCK = 0;
  private static final int FD_READ = 1;
  private static final int FD_WRITE = 2;
  private static final int CLOCK_REALTIME = 0;
  private static final int ABSTIME = 1;

  private record Sub(long userdata, int type, int fd, long deadline) {}

  private final GuestWasi wasi;

  Poll(GuestWasi wasi) {
    this.wasi = wasi;
  }

  int poll(Memory mem, int in, int out, int count, int neventsPtr) {
    if (count == 0) {
      return Errno.EINVAL.wasi();
    }
    List<Sub> subs = new ArrayList<>(count);
    long now = System.nanoTime();
    long deadline = Long.MAX_VALUE;
    for (int k = 0; k < count; k++) {
      int at = in + k * SUBSCRIPTION;
      int type = mem.read(at + 8);
      long due = Long.MAX_VALUE;
      if (type == CLOCK) {
        long timeout = mem.readLong(at + 24);
        boolean absolute = (mem.readShort(at + 40) & ABSTIME) != 0;
        if (absolute) {
          long clockNow =
              mem.readInt(at + 16) == CLOCK_REALTIME
                  ? System.currentTimeMillis() * 1_000_000L
                  : System.nanoTime();
          timeout = Math.max(0, timeout - clockNow);
        }
        due = now + timeout;
        deadline = Math.min(deadline, due);
      }
      subs.add(new Sub(mem.readLong(at), type, mem.readInt(at + 16), due));
    }
    try {
      while (true) {
        List<long[]> events = new ArrayList<>(); // {userdata, errno, type}
        boolean recheck = false;
        for (Sub s : subs) {
          if (s.type == CLOCK) {
            continue;
          }
          int state = ready(s);
          if (state == NOT_READY_UNNOTIFIED) {
            recheck = true;
          } else if (state != NOT_READY) {
            events.add(new long[] {s.userdata, state == READY ? 0 : state, s.type});
          }
        }
        long t = System.nanoTime();
        for (Sub s : subs) {
          if (s.type == CLOCK && s.deadline <= t) {
            events.add(new long[] {s.userdata, 0, CLOCK});
          }
        }
        if (!events.isEmpty()) {
          write(mem, out, events, neventsPtr);
          return 0;
        }
        long wait = deadline - t;
        long park = recheck ? Math.min(wait, RECHECK_NANOS) : wait;
        boolean rechecking = park < wait; // needs no precision: left to the JDK's timer
        wasi.self.blocking(() -> {
          if (park > Long.MAX_VALUE / 2) {
            LockSupport.park(this);
          } else if (rechecking) {
            LockSupport.parkNanos(this, park);
          } else {
            wasi.self.parkNanos(this, park);
          }
          return null;
        });
      }
    } finally {
      wasi.self.unwatchMailbox();
    }
  }

  private static final int READY = -1;
  private static final int NOT_READY = -2;
  private static final int NOT_READY_UNNOTIFIED = -3;

  /** READY, NOT_READY(_UNNOTIFIED), or a WASI errno to report for the subscription. */
  private int ready(Sub s) {
    Fd fd;
    try {
      fd = wasi.fds.get(s.fd);
    } catch (WasiError e) {
      return e.code;
    }
    if (s.type == FD_WRITE) {
      boolean full =
          fd instanceof Fd.Tree t && t.handle != null && !t.handle.writable(Thread.currentThread());
      return full ? NOT_READY : READY;
    }
    if (fd instanceof Fd.Host h) {
      if (h.chicory() != 0 || wasi.self.spec() == null) {
        return READY;
      }
      InputStream stdin = wasi.self.spec().stdin();
      try {
        if (stdin.available() > 0) {
          return READY;
        }
        // Only the real standard input can wait; an in-memory one is at its end for good. The
        // real one may be at its end too (a closed pipe, /dev/null): poll(2) tells.
        if (stdin != System.in) {
          return READY;
        }
        return Boolean.TRUE.equals(StdinPoll.ready()) ? READY : NOT_READY_UNNOTIFIED;
      } catch (IOException e) {
        return READY; // the read will report the error
      }
    }
    Fd.Tree t = (Fd.Tree) fd;
    if (t.handle == null) {
      return READY;
    }
    if (t.handle.readable(Thread.currentThread())) {
      return READY;
    }
    return t.handle.notifies() ? NOT_READY : NOT_READY_UNNOTIFIED;
  }

  private static void write(Memory mem, int out, List<long[]> events, int neventsPtr) {
    for (int k = 0; k < events.size(); k++) {
      long[] e = events.get(k);
      int at = out + k * EVENT;
      mem.writeLong(at, e[0]);
      mem.writeShort(at + 8, (short) e[1]);
      mem.writeByte(at + 10, (byte) e[2]);
      mem.writeLong(at + 16, e[2] == CLOCK ? 0 : 1);
      mem.writeShort(at + 24, (short) 0);
    }
    mem.writeI32(neventsPtr, events.size());
  }
}
