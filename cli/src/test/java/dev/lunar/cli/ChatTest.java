package dev.lunar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lunar.fs.Dir;
import dev.lunar.fs.Namespace;
import dev.lunar.runtime.ExitReason;
import dev.lunar.runtime.ModuleLoader;
import dev.lunar.runtime.net.ChatService;
import dev.lunar.runtime.net.Net;
import dev.lunar.runtime.net.NetConfig;
import dev.lunar.runtime.proc.Node;
import dev.lunar.runtime.proc.NodeConfig;
import dev.lunar.runtime.tree.ModuleCatalog;
import dev.lunar.runtime.tree.Tree;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The telnet chat demo on a live node, with real clients: {@code nc}, {@code telnet} and Java
 * sockets. Each test uses rooms of its own, so the tests share one chat.
 */
class ChatTest {
  private static Node node;
  private static Net net;
  private static ChatService chat;

  @BeforeAll
  static void start() throws Exception {
    node = new Node(NodeConfig.defaults());
    net = Net.install(tree(node), NetConfig.defaults());
    chat = ChatService.start(node, net, 0, System.err);
  }

  private static Tree tree(Node node) {
    var catalog = new ModuleCatalog(ModuleLoader.inMemory(false));
    for (String name : Examples.names()) {
      catalog.bundle(name, () -> Examples.find(name));
    }
    return Tree.install(node, catalog, System.out, System.err);
  }

  @AfterAll
  static void stop() {
    chat.close();
    net.close();
    node.close();
  }

  private static LineClient nc(String name) throws Exception {
    LineClient c = LineClient.process(name, "nc", "127.0.0.1", Integer.toString(chat.port()));
    c.expect("welcome to the Lunar chat");
    return c;
  }

  private static LineClient telnet(String name) throws Exception {
    LineClient c = LineClient.process(name, "telnet", "127.0.0.1", Integer.toString(chat.port()));
    c.expect("welcome to the Lunar chat");
    return c;
  }

  /** The id of the connection a client was welcomed on: its first nick is guest<ID>. */
  private static String connectionId(String welcome) {
    Matcher m = Pattern.compile("guest(\\d+)").matcher(welcome);
    assertTrue(m.find(), welcome);
    return m.group(1);
  }

  /** Whether connection {@code id} is still open on the chat's port, as the host sees /net. */
  private static boolean open(String id) throws Exception {
    var port = (Dir) Namespace.walk(node.hostTree(), List.of("net", "tcp", "" + chat.port()));
    return port.list(null, 100_000).stream().anyMatch(e -> e.name().equals(id));
  }

  /** Joins a room with a nick, and waits until the room has taken us in. */
  private static void enter(LineClient c, String nick, String room) throws Exception {
    c.say("/nick " + nick);
    c.expect("you are now " + nick);
    // A lobby busy with many joins at once may not answer in time; the client says so.
    do {
      c.say("/join " + room);
    } while (c.expectAny("you are in #" + room + " with", "did not answer").contains("did not"));
  }

  @Test
  void threeNcClientsChatAcrossTwoRooms() throws Exception {
    try (LineClient ada = nc("ada");
        LineClient bob = nc("bob");
        LineClient cy = nc("cy")) {
      String adaConnection = connectionId(ada.seen().get(0));
      enter(ada, "ada", "red");
      enter(bob, "bob", "red");
      ada.expect("*** bob joined #red");
      enter(cy, "cy", "blue");

      ada.say("hello red");
      assertEquals("<ada> hello red", bob.expect("hello red"));
      cy.say("hello blue");
      // cy hears nothing of #red: the first thing it is told is the answer to its own /list.
      cy.say("/list");
      cy.say("/help");
      assertEquals("*** rooms:", cy.next());
      List<String> rooms = new ArrayList<>();
      for (String line = cy.next(); !line.contains("/nick NAME"); line = cy.next()) {
        rooms.add(line);
      }
      assertTrue(rooms.contains("#red (2)") && rooms.contains("#blue (1)"), rooms.toString());

      bob.say("/nick robert");
      bob.expect("you are now robert");
      ada.expect("*** bob is now robert");
      bob.say("still here");
      ada.expect("<robert> still here");

      assertTrue(open(adaConnection));
      ada.say("/quit");
      ada.expect("*** bye");
      bob.expect("*** ada left #red");
      // Her process ended, and the node hung up her connection with it. (nc itself keeps
      // running until its standard input ends.)
      for (long end = System.nanoTime() + 30_000_000_000L; open(adaConnection); ) {
        assertTrue(System.nanoTime() < end, "connection " + adaConnection + " still open");
        Thread.sleep(10);
      }

      bob.say("/join blue");
      bob.expect("you are in #blue with 2 here:");
      cy.expect("*** robert joined #blue");
      cy.say("hi robert");
      bob.expect("<cy> hi robert");
    }
  }

  @Test
  void telnetWorksToo() throws Exception {
    try (LineClient tom = telnet("tom");
        LineClient ned = nc("ned")) {
      enter(tom, "tom", "yellow");
      enter(ned, "ned", "yellow");
      tom.say("hi from telnet");
      ned.expect("<tom> hi from telnet");
      ned.say("hi from nc");
      tom.expect("<ned> hi from nc");
      tom.say("/quit");
      tom.expect("*** bye");
      tom.expect("Connection closed by foreign host");
      ned.expect("*** tom left #yellow");
    }
  }

  @Test
  void aCrashedRoomIsRestartedAndItsMembersAreTold() throws Exception {
    try (LineClient ann = nc("ann");
        LineClient ben = nc("ben")) {
      enter(ann, "ann", "green");
      enter(ben, "ben", "green");
      ann.expect("*** ben joined #green");
      String before = roomPid("green");

      ann.say("/crash");
      for (LineClient c : List.of(ann, ben)) {
        String told = c.expect("#green crashed");
        assertTrue(told.contains("trap"), told);
        c.expect("you are in #green with");
      }
      String after = roomPid("green");
      assertTrue(!after.equals(before), before + " was not replaced");
      // Both are members of the new incarnation: a message gets through.
      ann.say("we are back");
      ben.expect("<ann> we are back");
    }
  }

  @Test
  void aMemberWhoseProcessEndsLeavesItsRoom() throws Exception {
    try (LineClient dee = nc("dee");
        LineClient eve = nc("eve")) {
      String eveConnection = connectionId(eve.seen().get(0));
      enter(dee, "dee", "grey");
      enter(eve, "eve", "grey");
      dee.expect("*** eve joined #grey");
      var args = List.of("client", Integer.toString(chat.port()), eveConnection);
      long client =
          node.processes().stream()
              .filter(p -> p.spec() != null && p.spec().args().equals(args))
              .findFirst()
              .orElseThrow()
              .pid();
      node.kill(client, ExitReason.KILLED); // the room hears of it by its monitor's DOWN
      dee.expect("*** eve left (connection lost)");
      dee.say("/list");
      dee.expect("#grey (1)");
    }
  }

  @Test
  void aMemberThatDoesNotReadIsDroppedNotQueuedFor() throws Exception {
    try (LineClient talker = nc("talker");
        var slow = new Socket()) {
      enter(talker, "talker", "sluggish");
      slow.setReceiveBufferSize(4096);
      slow.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), chat.port()));
      slow.getOutputStream().write("/nick slow\n/join sluggish\n".getBytes());
      talker.expect("*** slow joined #sluggish");
      // The slow member reads nothing: what the room sends it piles up in the node, in its
      // socket's buffers and then in its connection's queue, until its client gives up on it.
      String line = "x".repeat(400);
      var talking =
          Thread.ofVirtual()
              .start(() -> {
                try {
                  for (int i = 0; i < 200_000 && !Thread.currentThread().isInterrupted(); i++) {
                    talker.say(line);
                  }
                } catch (java.io.IOException e) {
                  // the test is over
                }
              });
      try {
        talker.expect("*** slow left (connection lost)");
      } finally {
        talking.interrupt();
      }
      talking.join();
      talker.say("/list");
      talker.expect("#sluggish (1)");
    }
  }

  @Test
  void manyJavaClientsAtOnce() throws Exception {
    int n = 200;
    List<LineClient> clients = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<LineClient>> joined = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String nick = "j" + i;
        joined.add(
            pool.submit(
                (Callable<LineClient>)
                    () -> {
                      var s = new Socket(InetAddress.getLoopbackAddress(), chat.port());
                      LineClient c = LineClient.socket(nick, s);
                      c.expect("welcome");
                      enter(c, nick, "crowd");
                      return c;
                    }));
      }
      for (Future<LineClient> f : joined) {
        clients.add(f.get());
      }
    }
    try {
      clients.get(0).say("hello everyone");
      for (LineClient c : clients.subList(1, n)) {
        assertEquals("<j0> hello everyone", c.expect("hello everyone"));
      }
    } finally {
      for (LineClient c : clients) {
        c.close();
      }
    }
  }

  @Test
  void whenTheChatsSupervisorGivesUpThePortIsClosedAndTheLogSaysSo() throws Exception {
    var log = new java.io.ByteArrayOutputStream();
    try (Node own = new Node(NodeConfig.defaults());
        Net ownNet = Net.install(tree(own), NetConfig.defaults());
        ChatService ownChat =
            ChatService.start(own, ownNet, 0, new java.io.PrintStream(log, true))) {
      int port = ownChat.port();
      new Socket(InetAddress.getLoopbackAddress(), port).close(); // it takes callers
      // Its acceptor killed six times in a row: one more restart than its supervisor allows.
      for (int i = 0; i < 6; i++) {
        long acceptor = own.whereis("chat");
        assertTrue(acceptor > 0, "no acceptor after " + i + " kills; log: " + log);
        own.kill(acceptor, ExitReason.KILLED);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (own.whereis("chat") <= 0 || own.whereis("chat") == acceptor) {
          if (log.toString().contains("has stopped") || System.nanoTime() > deadline) {
            break;
          }
          Thread.sleep(5);
        }
      }
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!log.toString().contains("has stopped") && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(log.toString().contains("chat on port " + port + " has stopped"), "log: " + log);
      assertTrue(log.toString().contains("restart limit reached"), "log: " + log);
      assertThrows(
          java.net.ConnectException.class,
          () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
    }
  }

  /** The pid of room NAME's current process, as the host sees it in /names. */
  private static String roomPid(String name) {
    return Long.toString(node.whereis("room." + name));
  }
}
