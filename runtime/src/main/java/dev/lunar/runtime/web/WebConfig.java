package dev.lunar.runtime.web;

import dev.lunar.fs.Grants;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a {@link WebEndpoint} serves.
 *
 * @param address where to listen: the loopback address by default
 * @param port the port; 0 for any free one
 * @param maxBody the largest request body taken; a bigger one is answered 413
 * @param timeout how long one request's process may run; past it, it is killed and the answer is
 *     504
 * @param maxOutput the most a process may write to standard output; more is answered 500
 * @param maxMemory each process's linear memory limit in bytes; 0 for the node's default
 * @param grants what of the node's tree each process sees (none by default: its own /proc/self)
 * @param env variables every process gets, besides the request's CGI variables
 * @param dirs host directories every process gets, guest path to host path
 * @param stderr where the processes' standard error goes, and one line per failed request
 */
public record WebConfig(
    InetAddress address,
    int port,
    long maxBody,
    Duration timeout,
    long maxOutput,
    long maxMemory,
    Grants grants,
    Map<String, String> env,
    Map<String, Path> dirs,
    OutputStream stderr) {
  public static final long DEFAULT_MAX_BODY = 1 << 20;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final long DEFAULT_MAX_OUTPUT = 16 << 20;

  public WebConfig {
    if (port < 0 || port > 65535 || maxBody < 0 || !timeout.isPositive() || maxOutput < 0) {
      throw new IllegalArgumentException("bad web configuration");
    }
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    dirs = Collections.unmodifiableMap(new LinkedHashMap<>(dirs));
  }

  /** Loopback, on {@code port}, with the default limits and no grants. */
  public static WebConfig on(int port) {
    return new WebConfig(
        InetAddress.getLoopbackAddress(),
        port,
        DEFAULT_MAX_BODY,
        DEFAULT_TIMEOUT,
        DEFAULT_MAX_OUTPUT,
        0,
        Grants.NONE,
        Map.of(),
        Map.of(),
        OutputStream.nullOutputStream());
  }

  public WebConfig withAddress(InetAddress bind) {
    return new WebConfig(
        bind, port, maxBody, timeout, maxOutput, maxMemory, grants, env, dirs, stderr);
  }

  public WebConfig withMaxBody(long bytes) {
    return new WebConfig(
        address, port, bytes, timeout, maxOutput, maxMemory, grants, env, dirs, stderr);
  }

  public WebConfig withTimeout(Duration limit) {
    return new WebConfig(
        address, port, maxBody, limit, maxOutput, maxMemory, grants, env, dirs, stderr);
  }

  public WebConfig withMaxMemory(long bytes) {
    return new WebConfig(
        address, port, maxBody, timeout, maxOutput, bytes, grants, env, dirs, stderr);
  }

  public WebConfig withGrants(Grants granted) {
    return new WebConfig(
        address, port, maxBody, timeout, maxOutput, maxMemory, granted, env, dirs, stderr);
  }

  public WebConfig withEnv(Map<String, String> vars) {
    return new WebConfig(
        address, port, maxBody, timeout, maxOutput, maxMemory, grants, vars, dirs, stderr);
  }

  public WebConfig withDirs(Map<String, Path> preopens) {
    return new WebConfig(
        address, port, maxBody, timeout, maxOutput, maxMemory, grants, env, preopens, stderr);
  }

  public WebConfig withStderr(OutputStream err) {
    return new WebConfig(
        address, port, maxBody, timeout, maxOutput, maxMemory, grants, env, dirs, err);
  }
}
