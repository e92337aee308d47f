package dev.lunar.runtime.proc;

import dev.lunar.fs.Grants;

/**
 * How to start a process, beyond what it runs.
 *
 * @param parent the spawning process's pid, 0 for the host
 * @param link link the new process to its parent before it starts
 * @param monitor have the parent monitor the new process before it starts
 * @param trapExits start with exits trapped
 * @param name register the new process under this name before it starts; null for none
 * @param maxMemory linear memory limit in bytes; 0 for the node's default
 * @param maxReductions end the process with {@code reductions exhausted} past this; 0 for none
 * @param grants what of the tree the process sees
 */
public record SpawnOptions(
    long parent,
    boolean link,
    boolean monitor,
    boolean trapExits,
    String name,
    long maxMemory,
    long maxReductions,
    Grants grants) {

  /** Spawned by the host, with nothing extra. */
  public static final SpawnOptions DEFAULT =
      new SpawnOptions(0, false, false, false, null, 0, 0, Grants.ALL);

  public SpawnOptions withParent(long pid) {
    return new SpawnOptions(pid, link, monitor, trapExits, name, maxMemory, maxReductions, grants);
  }

  public SpawnOptions withLink(boolean on) {
    return new SpawnOptions(parent, on, monitor, trapExits, name, maxMemory, maxReductions, grants);
  }

  public SpawnOptions withMonitor(boolean on) {
    return new SpawnOptions(parent, link, on, trapExits, name, maxMemory, maxReductions, grants);
  }

  public SpawnOptions withTrapExits(boolean on) {
    return new SpawnOptions(parent, link, monitor, on, name, maxMemory, maxReductions, grants);
  }

  public SpawnOptions withName(String registered) {
    return new SpawnOptions(
        parent, link, monitor, trapExits, registered, maxMemory, maxReductions, grants);
  }

  public SpawnOptions withMaxMemory(long bytes) {
    return new SpawnOptions(parent, link, monitor, trapExits, name, bytes, maxReductions, grants);
  }

  public SpawnOptions withMaxReductions(long limit) {
    return new SpawnOptions(parent, link, monitor, trapExits, name, maxMemory, limit, grants);
  }

  public SpawnOptions withGrants(Grants granted) {
    return new SpawnOptions(
        parent, link, monitor, trapExits, name, maxMemory, maxReductions, granted);
  }
}
