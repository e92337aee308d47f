package dev.lunar.runtime.proc;

import dev.lunar.fs.Access;
import dev.lunar.fs.Grant;
import java.util.List;

/**
 * What every process may reach whatever its grants: its own {@code /proc} directory, and every
 * mailbox for sending — knowing a pid or a name is enough to send to it, as in Erlang.
 */
final class Implicit {
  private Implicit() {}

  static List<Grant> grants(long pid) {
    return List.of(
        new Grant(List.of("proc", "self"), Access.READ_WRITE),
        new Grant(List.of("proc", Long.toString(pid)), Access.READ_WRITE),
        new Grant(List.of("proc", "*", "mailbox"), Access.WRITE_ONLY),
        new Grant(List.of("proc", "*", "tags"), Access.WRITE_ONLY),
        new Grant(List.of("names", "*", "mailbox"), Access.WRITE_ONLY),
        new Grant(List.of("names", "*", "tags"), Access.WRITE_ONLY));
  }
}
