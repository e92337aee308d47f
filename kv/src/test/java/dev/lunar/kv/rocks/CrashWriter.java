package dev.lunar.kv.rocks;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import dev.lunar.kv.Durability;
import dev.lunar.kv.KvStore;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The child of {@link RocksKvStoreCrashTest}: loads RocksDB's library from {@code args[4]}, opens
 * the store in {@code args[0]} and writes self-checking values from {@code args[1]} virtual threads
 * until it is killed, printing {@code ack KEY VERSION} after each put returns. Each thread owns its
 * keys and rewrites them with rising versions, so a put that did not survive, or survived torn,
 * shows.
 */
public final class CrashWriter {
  static final String BUCKET = "crash";
  static final int KEYS_PER_THREAD = 8;

  private CrashWriter() {}

  public static void main(String[] args) throws Exception {
    RocksKvStore.loadLibrary(Path.of(args[4]));
    KvStore store =
        RocksKvStore.open(
            Path.of(args[0]), Durability.valueOf(args[3]), Thread.ofPlatform().factory());
    try {
      store.createBucket(BUCKET);
    } catch (FsException e) {
      if (e.errno() != Errno.EEXIST) {
        throw e;
      }
    }
    PrintStream out = System.out;
    out.println("ready");
    out.flush();
    int threads = Integer.parseInt(args[1]);
    long firstVersion = Long.parseLong(args[2]);
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread.ofVirtual()
          .start(() -> {
            Random random = new Random(id);
            try {
              for (long version = firstVersion; ; version++) {
                String key = "t" + id + "-" + (version % KEYS_PER_THREAD);
                int size = random.nextInt(4) == 0 ? random.nextInt(1 << 20) : random.nextInt(4096);
                store.put(BUCKET, key, value(key, version, size, random));
                synchronized (out) {
                  out.println("ack " + key + " " + version);
                  out.flush();
                }
              }
            } catch (FsException e) {
              System.err.println("writer " + id + ": " + e);
            }
          });
    }
    Thread.sleep(Long.MAX_VALUE);
  }

  /** {@code key-length key version payload-length payload crc32-of-all-before}. */
  static byte[] value(String key, long version, int size, Random random) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[size];
    random.nextBytes(payload);
    ByteBuffer b = ByteBuffer.allocate(2 + k.length + 8 + 4 + size + 4);
    b.putShort((short) k.length).put(k).putLong(version).putInt(size).put(payload);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** The version a value holds, after checking it whole; throws if it is torn or misplaced. */
  static long check(String key, byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    byte[] k = new byte[b.getShort()];
    b.get(k);
    if (!key.equals(new String(k, StandardCharsets.UTF_8))) {
      throw new AssertionError(key + " holds the value of " + new String(k));
    }
    long version = b.getLong();
    int size = b.getInt();
    if (value.length != 2 + k.length + 8 + 4 + size + 4) {
      throw new AssertionError(
          key + " is torn: " + value.length + " bytes for a " + size + " payload");
    }
    CRC32 crc = new CRC32();
    crc.update(value, 0, value.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(value, value.length - 4, 4).getInt()) {
      throw new AssertionError(key + " is torn: bad checksum");
    }
    return version;
  }
}
