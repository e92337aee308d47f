package dev.lunar.kv.rocks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * Where everything lives in RocksDB's one key space. The first byte says what a record is:
 *
 * <pre>
 * 0x00 "format"                       "lunar-kv 1"
 * 0x01 bucket                         created: 8-byte millis
 * 0x02 bucket 0x00 key                stat: 8-byte size, 8-byte modified millis
 * 0x03 bucket 0x00 key                the value, as given
 * </pre>
 *
 * Bucket names hold no NUL, so {@code bucket 0x00} is a prefix of that bucket's records only, and
 * keys within it sort in their byte order. Stat records are apart from values so that {@code stat}
 * and listings never read a value: a page of keys reads a few small blocks even when values are 64
 * MiB.
 */
final class KeyLayout {
  static final byte[] FORMAT_KEY = {0x00, 'f', 'o', 'r', 'm', 'a', 't'};
  static final byte[] FORMAT = "lunar-kv 1".getBytes(StandardCharsets.US_ASCII);
  static final byte[] BUCKETS = {0x01};
  static final byte[] BUCKETS_END = {0x02};
  private static final byte STAT = 0x02;
  private static final byte VALUE = 0x03;

  private KeyLayout() {}

  static byte[] bucket(byte[] bucket) {
    return concat(BUCKETS, bucket, null);
  }

  static String bucketName(byte[] record) {
    return new String(record, 1, record.length - 1, StandardCharsets.US_ASCII);
  }

  /** The first stat record of a bucket (all of them start with it). */
  static byte[] stats(byte[] bucket) {
    return concat(new byte[] {STAT}, bucket, new byte[] {0});
  }

  /** Just past a bucket's last stat record. */
  static byte[] statsEnd(byte[] bucket) {
    return concat(new byte[] {STAT}, bucket, new byte[] {1});
  }

  static byte[] stat(byte[] bucket, byte[] key) {
    return record(STAT, bucket, key);
  }

  static byte[] value(byte[] bucket, byte[] key) {
    return record(VALUE, bucket, key);
  }

  /** The key of a stat record in the bucket whose records start with {@code prefix}. */
  static String keyName(byte[] record, int prefixLength) {
    return new String(record, prefixLength, record.length - prefixLength, StandardCharsets.UTF_8);
  }

  static byte[] statValue(long size, long modifiedMillis) {
    return ByteBuffer.allocate(16).putLong(size).putLong(modifiedMillis).array();
  }

  static byte[] millis(long millis) {
    return ByteBuffer.allocate(8).putLong(millis).array();
  }

  static long longAt(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes, offset, 8).getLong();
  }

  static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Marks a new database as ours; refuses one that is not. */
  static void checkFormat(RocksDB db, Path dir) throws RocksDBException, IOException {
    byte[] format = db.get(FORMAT_KEY);
    if (format == null) {
      try (RocksIterator it = db.newIterator()) {
        it.seekToFirst();
        if (it.isValid()) {
          throw new IOException(dir + " holds a RocksDB database that is not a Lunar store");
        }
      }
      try (WriteOptions sync = new WriteOptions().setSync(true)) {
        db.put(sync, FORMAT_KEY, FORMAT);
      }
    } else if (!Arrays.equals(format, FORMAT)) {
      throw new IOException(
          dir + " holds a key-value store of another format: " + new String(format));
    }
  }

  private static byte[] record(byte kind, byte[] bucket, byte[] key) {
    byte[] out = new byte[bucket.length + key.length + 2];
    out[0] = kind;
    System.arraycopy(bucket, 0, out, 1, bucket.length);
    System.arraycopy(key, 0, out, bucket.length + 2, key.length);
    return out;
  }

  static byte[] concat(byte[] a, byte[] b, byte[] c) {
    int n = a.length + b.length + (c == null ? 0 : c.length);
    byte[] out = Arrays.copyOf(a, n);
    System.arraycopy(b, 0, out, a.length, b.length);
    if (c != null) {
      System.arraycopy(c, 0, out, a.length + b.length, c.length);
    }
    return out;
  }
}
