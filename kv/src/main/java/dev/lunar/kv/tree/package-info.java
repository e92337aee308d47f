/**
 * The {@code /kv} subtree: buckets as directories, keys as files, over a {@link
 * dev.lunar.kv.KvStore}. {@link dev.lunar.kv.tree.KvDir} is its root; docs/KV.md describes the
 * protocol (what a read, a write, a flush and a close do).
 */
package dev.lunar.kv.tree;
