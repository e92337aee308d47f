package dev.lunar.runtime.proc;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;

/**
 * Registered names: at most one name per process and one process per name. A name goes when its
 * process ends. Thread-safe; a process's name changes under the process's monitor.
 */
final class Registry {
  /** Names are file names under {@code /names}: short, and safe in a path. */
  static final Pattern VALID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

  private final ConcurrentSkipListMap<String, Proc> names = new ConcurrentSkipListMap<>();

  void register(String name, Proc proc) throws RegistryException {
    if (!VALID.matcher(name).matches()) {
      throw new RegistryException(
          "bad name '" + name + "': use 1-64 of A-Z a-z 0-9 _ . - (not starting with . or -)");
    }
    synchronized (proc) {
      if (proc.name() != null) {
        throw new RegistryException("process " + proc.pid() + " is already named " + proc.name());
      }
      if (proc.exitReason() != null) {
        throw new RegistryException("process " + proc.pid() + " has exited");
      }
      Proc holder = names.putIfAbsent(name, proc);
      if (holder != null) {
        throw new RegistryException("name " + name + " is taken by process " + holder.pid());
      }
      proc.name(name);
    }
  }

  boolean unregister(String name) {
    Proc proc = names.remove(name);
    if (proc == null) {
      return false;
    }
    synchronized (proc) {
      if (name.equals(proc.name())) {
        proc.name(null);
      }
    }
    return true;
  }

  /** Drops whatever name {@code proc} holds. */
  void unregister(Proc proc) {
    String name = proc.name();
    if (name != null) {
      names.remove(name, proc);
    }
  }

  List<String> namesAfter(String after, int max) {
    var tail = after == null ? names : names.tailMap(after, false);
    return tail.keySet().stream().limit(max).toList();
  }

  long whereis(String name) {
    Proc proc = names.get(name);
    return proc == null ? 0 : proc.pid();
  }
}
