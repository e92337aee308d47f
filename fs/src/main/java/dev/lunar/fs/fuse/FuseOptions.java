package dev.lunar.fs.fuse;

import java.util.concurrent.ThreadFactory;

/**
 * How a tree is mounted.
 *
 * @param allowOther let other users than the mounting one see the mount ({@code -o allow_other};
 *     off by default; a non-root user needs {@code user_allow_other} in /etc/fuse.conf)
 * @param autoUnmount have fusermount unmount when this process dies, even by {@code kill -9}
 *     ({@code -o auto_unmount}; on by default). Without it a killed process leaves a dead mount,
 *     which the next mount on the same directory clears.
 * @param unmountOnExit unmount in a shutdown hook, so SIGTERM and Ctrl-C unmount cleanly (on by
 *     default); without it the caller must {@link FuseMount#close}
 * @param debug libfuse prints every request on standard error ({@code -d})
 * @param threads makes the threads that serve requests (platform threads: they block in native
 *     reads of /dev/fuse)
 */
public record FuseOptions(
    boolean allowOther,
    boolean autoUnmount,
    boolean unmountOnExit,
    boolean debug,
    ThreadFactory threads) {

  /** Private to the mounting user, auto-unmounted, unmounted on exit, daemon threads. */
  public static FuseOptions defaults() {
    return new FuseOptions(
        false, true, true, false, Thread.ofPlatform().name("lunar-fuse-", 1).daemon().factory());
  }

  public FuseOptions withAllowOther(boolean on) {
    return new FuseOptions(on, autoUnmount, unmountOnExit, debug, threads);
  }

  public FuseOptions withAutoUnmount(boolean on) {
    return new FuseOptions(allowOther, on, unmountOnExit, debug, threads);
  }

  public FuseOptions withUnmountOnExit(boolean on) {
    return new FuseOptions(allowOther, autoUnmount, on, debug, threads);
  }

  public FuseOptions withDebug(boolean on) {
    return new FuseOptions(allowOther, autoUnmount, unmountOnExit, on, threads);
  }

  public FuseOptions withThreads(ThreadFactory factory) {
    return new FuseOptions(allowOther, autoUnmount, unmountOnExit, debug, factory);
  }
}
