package dev.lunar.cli;

import dev.lunar.fs.Grants;
import dev.lunar.runtime.DataDir;
import dev.lunar.runtime.LoadedModule;
import dev.lunar.runtime.ModuleException;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import dev.lunar.runtime.web.WebConfig;
import dev.lunar.runtime.web.WebEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lunar serve}: any command-line program as a web endpoint, a process per request. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve HTTP: each request runs MODULE as a new Lunar process.",
      "The process gets the request body on standard input and the CGI variables",
      "(REQUEST_METHOD, PATH_INFO, QUERY_STRING, HTTP_*, …) in its environment.",
      "What it prints is the response; it may start with CGI headers",
      "(Content-Type:, Status:, Location:) and a blank line. A crash is answered 500, a run past",
      "--timeout 504, a body over --max-body 413. Runs until interrupted.",
      "MODULE is a .wasm file, or the name of a bundled example (hello, cgiecho, webhello, ...)."
    })
final class ServeCommand implements Callable<Integer> {
  private final Io io;

  @Option(names = "--port", paramLabel = "N", description = "Port (default ${DEFAULT-VALUE}).")
  private int port = 8080;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every one).")
  private String bind = "127.0.0.1";

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Time limit of one request's process (default ${DEFAULT-VALUE}).")
  private double timeout = WebConfig.DEFAULT_TIMEOUT.toSeconds();

  @Option(
      names = "--max-body",
      paramLabel = "SIZE",
      description = "Largest request body (default 1M).")
  private String maxBody;

  @Option(
      names = "--max-memory",
      paramLabel = "SIZE",
      description = "Linear memory each process may grow to (default 64M).")
  private String maxMemory;

  @Option(
      names = "--env",
      paramLabel = "K=V",
      description = "Add a variable to every process's environment.")
  private List<String> env = new ArrayList<>();

  @Option(
      names = "--dir",
      paramLabel = "HOST[:GUEST]",
      description = "Preopen a host directory for every process.")
  private List<String> dirs = new ArrayList<>();

  @Option(
      names = "--grant",
      paramLabel = "PATH[:ro|wo|rw]",
      description = "Let every process see this part of the tree (default: none).")
  private List<String> grants = new ArrayList<>();

  @Option(names = "--interpret", description = "Interpret instead of compiling to bytecode.")
  private boolean interpret;

  @Option(names = "--data", paramLabel = "DIR", description = "Data directory (as lunar run).")
  private Path data;

  @Parameters(index = "0", paramLabel = "MODULE", description = "The program to serve.")
  private String module;

  ServeCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    WebConfig config;
    LoadedModule loaded;
    ModuleLoader loader;
    try {
      if (!(timeout > 0)) {
        throw new ModuleException("--timeout must be more than 0 seconds");
      }
      if (port < 0 || port > 65535) {
        throw new ModuleException("--port " + port + ": a port is 0 to 65535");
      }
      config =
          WebConfig.on(port)
              .withAddress(address())
              .withTimeout(Duration.ofNanos((long) (timeout * 1e9)))
              .withMaxBody(
                  maxBody == null
                      ? WebConfig.DEFAULT_MAX_BODY
                      : GuestOptions.size("--max-body", maxBody))
              .withMaxMemory(maxMemory == null ? 0 : GuestOptions.memory("--max-memory", maxMemory))
              .withGrants(GuestOptions.grants(grants, Grants.NONE))
              .withEnv(GuestOptions.env(env))
              .withDirs(GuestOptions.dirs(dirs))
              .withStderr(io.err);
      DataDir dataDir = data != null ? new DataDir(data) : DataDir.fromEnvironment(io.env);
      loader = Modules.loader(dataDir, interpret);
      loaded = GuestOptions.load(loader, module);
    } catch (ModuleException e) {
      io.err.println("lunar: " + module + ": " + e.getMessage());
      return Lunar.BAD_INPUT;
    }
    ModuleCatalog catalog;
    try {
      catalog = Modules.catalog(loader, List.of());
    } catch (ModuleException e) {
      io.err.println("lunar: serve: " + e.getMessage());
      return Lunar.BAD_INPUT;
    }
    try (Node node = new Node(NodeConfig.defaults())) {
      Tree.install(node, catalog, io.out, io.err);
      WebEndpoint endpoint;
      try {
        endpoint = WebEndpoint.start(node, loaded, config);
      } catch (IOException e) {
        io.err.println("lunar: serve: cannot listen on " + bind + ":" + port + ": " + e);
        return Lunar.BAD_INPUT;
      } catch (ModuleException e) {
        io.err.println("lunar: " + module + ": " + e.getMessage());
        return Lunar.BAD_INPUT;
      }
      try (endpoint) {
        io.err.println(
            "lunar: serving "
                + module
                + " on http://"
                + config.address().getHostAddress()
                + ":"
                + endpoint.port()
                + "/ (a process per request; Ctrl-C stops)");
        new CountDownLatch(1).await(); // until the JVM is stopped
      }
    }
    return 0;
  }

  private InetAddress address() throws ModuleException {
    try {
      return InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new ModuleException("--bind " + bind + ": unknown address");
    }
  }
}
