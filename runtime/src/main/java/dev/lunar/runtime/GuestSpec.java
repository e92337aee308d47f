package dev.lunar.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a guest starts with: its arguments, environment, preopened host directories and standard
 * streams. The guest sees exactly this environment; nothing of the host's leaks in.
 *
 * @param args argv[1..]; argv[0] is the module's name
 * @param env environment variables, in order
 * @param dirs preopened directories, guest path to host path, in order
 */
public record GuestSpec(
    List<String> args,
    Map<String, String> env,
    Map<String, Path> dirs,
    InputStream stdin,
    OutputStream stdout,
    OutputStream stderr) {

  public GuestSpec {
    args = List.copyOf(args);
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    dirs = Collections.unmodifiableMap(new LinkedHashMap<>(dirs));
  }
}
