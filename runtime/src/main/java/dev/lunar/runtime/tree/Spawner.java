package dev.lunar.runtime.tree;

import dev.lunar.fs.Errno;
import dev.lunar.fs.File;
import dev.lunar.fs.FsException;
import dev.lunar.fs.Grant;
import dev.lunar.fs.Grants;
import dev.lunar.fs.Namespace;
import dev.lunar.fs.OpenMode;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.proc.ChildSpec;
import dev.lunar.runtime.proc.NoProcException;
import dev.lunar.runtime.proc.Proc;
import dev.lunar.runtime.proc.RegistryException;
import dev.lunar.runtime.proc.SpawnOptions;
import dev.lunar.runtime.proc.Supervisor;
import dev.lunar.runtime.proc.SupervisorSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Carries out a {@link SpawnLine} for a caller: checks that it asks for no more than the caller
 * holds (grants, directories, limits), then spawns. A child gets at most what its parent has.
 */
final class Spawner {
  private final Tree tree;
  private final Proc caller;

  Spawner(Tree tree, Proc caller) {
    this.tree = tree;
    this.caller = caller;
  }

  long spawn(SpawnLine line) throws FsException {
    if (line.name() != null && !tree.node.validName(line.name())) {
      throw Text.invalid("spawn: --name " + line.name() + ": bad name");
    }
    if (caller == null && (line.link() || line.monitor())) {
      throw Text.invalid(
          "spawn: --link and --monitor need a spawning process; the host is not one");
    }
    var options =
        new SpawnOptions(
            Caller.pid(caller),
            line.link(),
            line.monitor(),
            line.trapExits(),
            line.name(),
            maxMemory(line),
            maxReductions(line),
            grants(line));
    try {
      if (line.module().equals("supervisor")) {
        SupervisorSpec spec = supervisorSpec(line);
        if (line.supervisor() != 0) {
          return supervised(
              line,
              (node, o) -> startSupervisor(spec, options.withParent(o.parent()).withLink(true)));
        }
        return startSupervisor(spec, options).pid();
      }
      LoadedModule module = tree.bin.load(line.module());
      var out = caller != null && caller.spec() != null ? caller.spec() : null;
      var spec =
          new GuestSpec(
              line.args(),
              line.env(),
              dirs(line),
              InputStream.nullInputStream(),
              out != null ? out.stdout() : tree.stdout,
              out != null ? out.stderr() : tree.stderr);
      if (line.supervisor() != 0) {
        return supervised(
            line,
            (node, o) -> node.spawn(module, spec, options.withParent(o.parent()).withLink(true)));
      }
      return tree.node.spawn(module, spec, options).pid();
    } catch (ModuleException e) {
      throw Text.invalid("spawn: " + line.module() + ": " + e.getMessage());
    } catch (NoProcException e) {
      throw new FsException(Errno.ESRCH, "spawn: noproc " + e.what());
    } catch (RegistryException e) {
      throw new FsException(Errno.EEXIST, "spawn: " + e.getMessage());
    }
  }

  private Grants grants(SpawnLine line) throws FsException {
    Grants own = caller == null ? Grants.ALL : caller.grants();
    if (line.grants() == null) {
      return own;
    }
    for (Grant g : line.grants()) {
      if (!own.allows(g)) {
        throw new FsException(
            Errno.EACCES, "spawn: --grant " + g + " is more than this process holds");
      }
    }
    return new Grants(line.grants());
  }

  private long maxMemory(SpawnLine line) throws FsException {
    long own = caller == null ? tree.node.config().defaultMaxMemory() : caller.maxMemory();
    if (line.maxMemory() > own && caller != null) {
      throw new FsException(
          Errno.EACCES,
          "spawn: --max-memory " + line.maxMemory() + " is over this process's own " + own);
    }
    return line.maxMemory() > 0 ? line.maxMemory() : own;
  }

  private long maxReductions(SpawnLine line) throws FsException {
    long own = caller == null ? 0 : caller.maxReductions();
    if (own == 0) {
      return line.maxReductions();
    }
    if (line.maxReductions() > own) {
      throw new FsException(
          Errno.EACCES, "spawn: --max-reductions is over this process's own " + own);
    }
    return line.maxReductions() > 0 ? line.maxReductions() : own;
  }

  /** The child's host directories: PATH is as the caller sees it (the host: a host path). */
  private Map<String, Path> dirs(SpawnLine line) throws FsException {
    Map<String, Path> own =
        caller != null && caller.spec() != null ? caller.spec().dirs() : Map.of();
    if (line.dirs() == null) {
      return own;
    }
    Map<String, Path> out = new LinkedHashMap<>();
    for (String entry : line.dirs()) {
      int colon = entry.indexOf(':');
      String path = colon < 0 ? entry : entry.substring(0, colon);
      String guest = colon < 0 ? entry : entry.substring(colon + 1);
      Path host = caller == null ? Path.of(path) : within(own, path);
      if (!Files.isDirectory(host)) {
        throw new FsException(Errno.ENOENT, "spawn: --dir " + path + ": no such directory");
      }
      out.put(guest, host);
    }
    return out;
  }

  private static Path within(Map<String, Path> own, String path) throws FsException {
    for (var e : own.entrySet()) {
      String g = e.getKey();
      if (path.equals(g)) {
        return e.getValue();
      }
      String prefix = g.endsWith("/") ? g : g + "/";
      if (path.startsWith(prefix)) {
        Path host = e.getValue().resolve(path.substring(prefix.length())).normalize();
        if (host.startsWith(e.getValue().normalize())) {
          return host;
        }
      }
    }
    throw new FsException(Errno.EACCES, "spawn: --dir " + path + " is not one this process has");
  }

  private static SupervisorSpec supervisorSpec(SpawnLine line) throws FsException {
    var strategy = SupervisorSpec.Strategy.ONE_FOR_ONE;
    int maxRestarts = 3;
    long within = 5;
    List<String> args = line.args();
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      String value = null;
      int eq = option.indexOf('=');
      if (option.startsWith("--") && eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      }
      if (!List.of("--strategy", "--max-restarts", "--within").contains(option)) {
        throw Text.invalid("supervisor: unknown option '" + args.get(i) + "'");
      }
      if (value == null) {
        if (++i >= args.size()) {
          throw Text.invalid("supervisor: " + option + " needs a value");
        }
        value = args.get(i);
      }
      try {
        switch (option) {
          case "--strategy" ->
              strategy = SupervisorSpec.Strategy.valueOf(value.toUpperCase(Locale.ROOT));
          case "--max-restarts" -> maxRestarts = Integer.parseInt(value);
          default -> within = Long.parseLong(value);
        }
      } catch (IllegalArgumentException e) {
        throw Text.invalid("supervisor: " + option + " " + value + ": not valid");
      }
    }
    if (maxRestarts < 0) {
      throw Text.invalid("supervisor: --max-restarts must not be negative");
    }
    if (within < 1) {
      throw Text.invalid("supervisor: --within must be at least 1 second");
    }
    return new SupervisorSpec(strategy, maxRestarts, Duration.ofSeconds(within), List.of());
  }

  /** Starts a supervisor with no children yet, which spawn lines then add to. */
  private Proc startSupervisor(SupervisorSpec spec, SpawnOptions options)
      throws NoProcException, RegistryException {
    Supervisor sup = Supervisor.of(spec);
    Proc proc = sup.start(tree.node, options);
    tree.supervisors.put(proc.pid(), sup);
    proc.onExit(r -> tree.supervisors.remove(proc.pid()));
    return proc;
  }

  /** Adds a child, which {@code start} starts, to the supervisor the line names. */
  private long supervised(SpawnLine line, ChildSpec.Starter start) throws FsException {
    long pid = line.supervisor();
    Supervisor sup = tree.supervisors.get(pid);
    if (sup == null) {
      throw new FsException(Errno.ESRCH, "spawn: no supervisor " + pid);
    }
    if (caller != null) {
      try {
        var ctl =
            Namespace.walk(tree.node.treeFor(caller), List.of("proc", Long.toString(pid), "ctl"));
        ((File) ctl).open(OpenMode.WRITE).close();
      } catch (FsException e) {
        throw new FsException(Errno.EACCES, "spawn: cannot control supervisor " + pid);
      }
    }
    String id = line.name() != null ? line.name() : line.module();
    var child = new ChildSpec(id, line.restart(), start);
    try {
      return Caller.waiting(
              caller,
              () -> {
                try {
                  return sup.addChild(child);
                } catch (InterruptedException e) {
                  throw e;
                } catch (Exception e) {
                  throw new Failed(e);
                }
              })
          .pid();
    } catch (Failed f) {
      Exception e = (Exception) f.getCause();
      throw switch (e) {
        case ModuleException m -> Text.invalid("spawn: " + m.getMessage());
        case NoProcException n ->
            new FsException(Errno.ESRCH, "spawn: supervisor " + pid + " has ended");
        case RegistryException r -> new FsException(Errno.EEXIST, "spawn: " + r.getMessage());
        default -> new FsException(Errno.EIO, "spawn: " + e);
      };
    }
  }

  /** Carries a child's start failure out of the supervisor's hands. */
  private static final class Failed extends RuntimeException {
    Failed(Exception cause) {
      super(cause);
    }
  }
}
