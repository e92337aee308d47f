package dev.lunar.runtime.net;

import java.net.InetAddress;
import java.time.Duration;

/**
 * How a node's network behaves.
 *
 * @param address where ports are bound: the loopback address by default, so nothing is reachable
 *     from other machines unless asked for
 * @param maxConnections open connections per port, accepted but not yet closed; a connection beyond
 *     it is closed at once and counted as refused
 * @param idleTimeout a connection that moves no byte either way for this long is closed; zero for
 *     never
 * @param receiveBuffer bytes received and not yet read that one connection holds; past it the node
 *     stops reading from the socket, so TCP slows the sender down
 */
public record NetConfig(
    InetAddress address, int maxConnections, Duration idleTimeout, int receiveBuffer) {
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final int DEFAULT_RECEIVE_BUFFER = 64 << 10;

  public NetConfig {
    if (maxConnections < 1 || idleTimeout.isNegative() || receiveBuffer < 1) {
      throw new IllegalArgumentException("bad network configuration");
    }
  }

  /** Loopback only, 1024 connections per port, 5 minutes idle, 64 KiB buffered per connection. */
  public static NetConfig defaults() {
    return new NetConfig(
        InetAddress.getLoopbackAddress(),
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_RECEIVE_BUFFER);
  }

  public NetConfig withAddress(InetAddress bind) {
    return new NetConfig(bind, maxConnections, idleTimeout, receiveBuffer);
  }

  public NetConfig withMaxConnections(int max) {
    return new NetConfig(address, max, idleTimeout, receiveBuffer);
  }

  public NetConfig withIdleTimeout(Duration idle) {
    return new NetConfig(address, maxConnections, idle, receiveBuffer);
  }
}
