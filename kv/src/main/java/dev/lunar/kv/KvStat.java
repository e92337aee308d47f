package dev.lunar.kv;

/**
 * What a store knows about a key without reading its value.
 *
 * @param size the value's length in bytes
 * @param modifiedMillis when the value was last put, milliseconds since the epoch
 */
public record KvStat(long size, long modifiedMillis) {}
