package dev.lunar.cli;

import dev.lunar.fs.FsException;
import dev.lunar.kv.KvNames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lunar kv}: the key-value store, through {@code /kv/<bucket>/<key>} files. */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    description = "Read and write the node's key-value store (the files under /kv).",
    subcommands = {
      KvCommand.Get.class,
      KvCommand.Put.class,
      KvCommand.Ls.class,
      KvCommand.Rm.class
    })
final class KvCommand {
  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Print a key's value, byte for byte.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:printed", "1:no such bucket or key", "2:bad usage", "69:no mount found"})
  static final class Get extends ClientCommand {
    @Parameters(index = "0", paramLabel = "BUCKET")
    String bucket;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    Get(Io io) {
      super(io);
    }

    @Override
    void run(Mounted tree) throws IOException, ClientException {
      io.out.write(Files.readAllBytes(tree.path(path(bucket, key))));
    }
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = {
        "Store a value: the VALUE words joined by spaces, or all of standard input when there"
            + " are none. The bucket is created if it does not exist.",
        "Options may come anywhere; `--` ends them, so a value that starts with `-` goes after"
            + " it: `lunar kv put b k -- -v` (a negative number needs no `--`).",
        "Returns once the value is on disk."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:stored",
        "1:refused: a bad name, a value too big",
        "2:bad usage",
        "69:no mount found"
      })
  static final class Put extends ClientCommand {
    @Parameters(index = "0", paramLabel = "BUCKET")
    String bucket;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Parameters(index = "2..*", paramLabel = "VALUE")
    List<String> value = new ArrayList<>();

    Put(Io io) {
      super(io);
    }

    @Override
    void run(Mounted tree) throws IOException, ClientException {
      Path dir = tree.path(path(bucket, null));
      path(bucket, key); // both names checked before anything is made
      if (!Files.isDirectory(dir)) {
        Files.createDirectory(dir);
      }
      byte[] bytes =
          value.isEmpty()
              ? io.in.readAllBytes()
              : String.join(" ", value).getBytes(StandardCharsets.UTF_8);
      try (OutputStream out = Files.newOutputStream(dir.resolve(key))) {
        out.write(bytes);
      }
    }
  }

  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "List the buckets, or the keys of BUCKET in byte order.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:listed", "1:no such bucket", "2:bad usage", "69:no mount found"})
  static final class Ls extends ClientCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "BUCKET")
    String bucket;

    Ls(Io io) {
      super(io);
    }

    @Override
    void run(Mounted tree) throws IOException, ClientException {
      try (DirectoryStream<Path> dir =
          Files.newDirectoryStream(tree.path(bucket == null ? "kv" : path(bucket, null)))) {
        for (Path p : dir) {
          io.out.println(p.getFileName());
        }
      }
    }
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = "Delete a key; with no KEY, delete BUCKET, which must be empty.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:deleted",
        "1:no such bucket or key, or the bucket is not empty",
        "2:bad usage",
        "69:no mount found"
      })
  static final class Rm extends ClientCommand {
    @Parameters(index = "0", paramLabel = "BUCKET")
    String bucket;

    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY")
    String key;

    Rm(Io io) {
      super(io);
    }

    @Override
    void run(Mounted tree) throws IOException, ClientException {
      Files.delete(tree.path(path(bucket, key)));
    }
  }

  /**
   * The path of BUCKET, or of KEY in it, with both names checked as the store checks them, so that
   * a name such as {@code ..} cannot lead out of {@code /kv}.
   */
  static String path(String bucket, String key) throws ClientException {
    try {
      KvNames.bucket(bucket);
      if (key == null) {
        return "kv/" + bucket;
      }
      KvNames.key(key);
      return "kv/" + bucket + "/" + key;
    } catch (FsException e) {
      throw new ClientException(ClientCommand.FAILED, e.reason());
    }
  }
}
