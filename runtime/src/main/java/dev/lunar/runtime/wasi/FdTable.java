package dev.lunar.runtime.wasi;

import dev.lunar.fs.Errno;
import java.util.ArrayList;
import java.util.List;

/** A guest's descriptors: the lowest free number is taken first, as POSIX does. */
final class FdTable {
  private final List<Fd> fds = new ArrayList<>();

  int add(Fd fd) {
    for (int i = 0; i < fds.size(); i++) {
      if (fds.get(i) == null) {
        fds.set(i, fd);
        return i;
      }
    }
    fds.add(fd);
    return fds.size() - 1;
  }

  Fd get(int n) throws WasiError {
    Fd fd = n >= 0 && n < fds.size() ? fds.get(n) : null;
    if (fd == null) {
      throw new WasiError(Errno.EBADF);
    }
    return fd;
  }

  Fd remove(int n) throws WasiError {
    Fd fd = get(n);
    fds.set(n, null);
    return fd;
  }

  /** Puts {@code fd} at number {@code n}, which must be free. */
  void put(int n, Fd fd) {
    while (fds.size() <= n) {
      fds.add(null);
    }
    fds.set(n, fd);
  }

  /** Every open descriptor, for closing at exit. */
  List<Fd> all() {
    return fds.stream().filter(f -> f != null).toList();
  }
}
