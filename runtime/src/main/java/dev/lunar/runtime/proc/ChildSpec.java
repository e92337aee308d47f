package dev.lunar.runtime.proc;

/**
 * One child of a supervisor.
 *
 * @param id the child's name within its supervisor, for messages
 * @param restart when the child is restarted
 * @param start starts the child with the options given (parent: the supervisor, linked)
 */
public record ChildSpec(String id, Restart restart, Starter start) {
  /** When a child that ended is started again. */
  public enum Restart {
    /** Always. */
    PERMANENT,
    /** Only when it ended abnormally. */
    TRANSIENT,
    /** Never. */
    TEMPORARY
  }

  /** Starts one incarnation of the child. */
  @FunctionalInterface
  public interface Starter {
    Proc start(Node node, SpawnOptions options) throws Exception;
  }
}
