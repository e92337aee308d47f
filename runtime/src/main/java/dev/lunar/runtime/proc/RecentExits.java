package dev.lunar.runtime.proc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last few exited processes, so that their status and exit reason can still be read just after
 * they leave the process table. Bounded, so a node that spawns forever does not grow. Thread-safe.
 */
final class RecentExits {
  private final Map<Long, Proc> procs;

  RecentExits(int capacity) {
    this.procs =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, Proc> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized void add(Proc proc) {
    procs.put(proc.pid(), proc);
  }

  synchronized Proc get(long pid) {
    return procs.get(pid);
  }
}
