package dev.lunar.cli;

import dev.lunar.fs.Grants;
import dev.lunar.runtime.DataDir;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.Guest;
import dev.lunar.runtime.GuestSpec;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.proc.SpawnOptions;
import dev.lunar.runtime.tree.ModuleCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lunar run}: runs a WASI command module as one Lunar process. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a WASI preview1 command module as one Lunar process.",
      "Standard streams pass through; the guest's exit code becomes this command's.",
      "MODULE is a .wasm file, or the name of a bundled example (hello, cat, ls, fib, ...)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "N:the guest's own exit code (0 when it returned normally)",
      "2:bad input: a missing or invalid module, an unknown import, a bad option",
      "134:the guest crashed: a trap or a stack overflow (one line on stderr says which)",
      "137:the guest was killed",
      "152:the guest used up its --max-reductions",
      "70:an internal error in Lunar"
    })
final class RunCommand implements Callable<Integer> {
  private final Io io;

  @Option(
      names = "--dir",
      paramLabel = "HOST[:GUEST]",
      description = "Preopen a host directory for the guest (GUEST defaults to HOST).")
  private List<String> dirs = new ArrayList<>();

  @Option(
      names = "--env",
      paramLabel = "K=V",
      description = "Set a variable in the guest's environment (the host's is not passed).")
  private List<String> env = new ArrayList<>();

  @Option(
      names = "--max-memory",
      paramLabel = "SIZE",
      description =
          "Linear memory the guest may grow to (default 64M); past it memory.grow fails"
              + " and malloc returns NULL.")
  private String maxMemory;

  @Option(
      names = "--max-reductions",
      paramLabel = "N",
      description =
          "End the guest with 'reductions exhausted' after N reductions (default: no limit).")
  private Long maxReductions;

  @Option(
      names = "--slice",
      paramLabel = "N",
      description =
          "Reductions a process runs before others get a turn (default ${DEFAULT-VALUE}).")
  private int slice = NodeConfig.DEFAULT_SLICE;

  @Option(
      names = "--grant",
      paramLabel = "PATH[:ro|wo|rw]",
      description =
          "Let the guest see this part of the tree (repeatable; default: all of it, read-write;"
              + " 'none' for nothing). See docs/PROTOCOL.md.")
  private List<String> grants = new ArrayList<>();

  @Option(
      names = "--modules",
      paramLabel = "DIR",
      description = "Add the .wasm files in DIR to /bin, where /proc/new finds them (repeatable).")
  private List<Path> moduleDirs = new ArrayList<>();

  @Option(
      names = "--no-tree",
      description =
          "Run as a plain WASI runtime: no /proc, /names or /bin (descriptors from 3 on are the"
              + " --dir directories only).")
  private boolean noTree;

  @Option(names = "--interpret", description = "Interpret instead of compiling to bytecode.")
  private boolean interpret;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Data directory, holding the compiled-module cache"
              + " (default: $LUNAR_DATA, else $XDG_DATA_HOME/lunar, else ~/.local/share/lunar).")
  private Path data;

  @Option(names = "--debug", description = "Show stack traces of internal errors.")
  private boolean debug;

  @Parameters(index = "0", paramLabel = "MODULE", description = "The module to run.")
  private String module;

  @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the guest.")
  private List<String> args = new ArrayList<>();

  RunCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    io.debug(debug);
    try {
      GuestSpec spec =
          new GuestSpec(
              args,
              GuestOptions.env(env),
              GuestOptions.dirs(dirs),
              io.in,
              Io.forGuest(io.out),
              Io.forGuest(io.err));
      var options =
          SpawnOptions.DEFAULT
              .withMaxReductions(maxReductions == null ? 0 : maxReductions)
              .withGrants(GuestOptions.grants(grants, Grants.ALL));
      if (maxMemory != null) {
        options = options.withMaxMemory(GuestOptions.memory("--max-memory", maxMemory));
      }
      if (slice < 1) {
        throw new ModuleException("--slice must be at least 1");
      }
      if (maxReductions != null && maxReductions < 1) {
        throw new ModuleException("--max-reductions must be at least 1");
      }
      var config = NodeConfig.defaults().withSliceReductions(slice);
      ModuleLoader loader = loader();
      ExitReason reason =
          Guest.run(
              GuestOptions.load(loader, module),
              spec,
              config,
              options,
              noTree ? null : catalog(loader));
      io.out.flush();
      if (!reason.isNormal() && !reason.text().startsWith("exit ")) {
        io.err.println(reason.text());
      }
      return reason.exitCode();
    } catch (ModuleException e) {
      io.out.flush();
      io.err.println("lunar: " + module + ": " + e.getMessage());
      if (debug && e.getCause() != null) {
        e.getCause().printStackTrace(io.err);
      }
      return Lunar.BAD_INPUT;
    }
  }

  private ModuleLoader loader() {
    return Modules.loader(
        data != null ? new DataDir(data) : DataDir.fromEnvironment(io.env), interpret);
  }

  private ModuleCatalog catalog(ModuleLoader loader) throws ModuleException {
    return Modules.catalog(loader, moduleDirs);
  }
}
