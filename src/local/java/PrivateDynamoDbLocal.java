import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * DynamoDB Local reachable only through Unix sockets, shared by every service process of one data
 * folder and alive exactly as long as one of them holds a lease on it.
 *
 * <p>DynamoDB Local has no bind-address option: it listens on every interface. The caller starts
 * this JVM in a network namespace of its own ({@code unshare --user --net}), where the only
 * interface is loopback, so that listener is unreachable from anywhere else, even from this
 * machine. This class refuses to start DynamoDB Local unless loopback is indeed the only
 * interface, then forwards every connection made to the data socket (mode 0600, in the data
 * folder) to DynamoDB Local's port inside the namespace. Unix sockets are files, so the service
 * outside the namespace can reach them while no network peer can.
 *
 * <p>Lifetime: each service process that uses the database keeps one connection to the lease
 * socket. On connecting it reads {@code A <pid>} (leased) or {@code X <pid>} (this database is
 * stopping: wait for that process to exit, then start another). It releases by sending {@code R}
 * and reading {@code L} (it was the last: the database stops) or {@code S} (others still hold
 * leases); a connection that closes without {@code R} (its process died) counts as released. When
 * the last lease is released, or when no lease was taken within a minute of start, the sockets are
 * removed and the JVM exits. So the database never outlives the services using it, whatever
 * killed them, and a second service on the same folder uses the database the first one started.
 *
 * <p>Arguments: {@code <data socket> <lease socket> <port> <DynamoDB Local arguments...>}.
 */
public final class PrivateDynamoDbLocal {
  /** Exit status when an interface other than loopback is visible (the namespace is missing). */
  static final int NOT_PRIVATE = 78;
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final long THREAD_STACK_BYTES = 256 * 1024;
  private static final long FIRST_LEASE_MS = 60_000;

  private static Path dataSocket;
  private static Path leaseSocket;
  private static int leases;
  private static boolean everLeased;
  private static boolean closing;

  private PrivateDynamoDbLocal() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) throw new IllegalArgumentException("usage: <data socket> <lease socket> <port> <DynamoDB Local arguments...>");
    dataSocket = Path.of(args[0]);
    leaseSocket = Path.of(args[1]);
    int port = Integer.parseInt(args[2]);
    String[] dynamoArgs = Arrays.copyOfRange(args, 3, args.length);

    List<String> others = nonLoopbackInterfaces();
    if (!others.isEmpty()) {
      System.err.println("Refusing to start DynamoDB Local: network interfaces other than loopback are visible (" + String.join(", ", others) + ").");
      System.exit(NOT_PRIVATE);
    }
    startDynamoDbLocal(dynamoArgs);
    ServerSocketChannel data = bindPrivately(dataSocket);
    ServerSocketChannel lease = bindPrivately(leaseSocket);
    daemon("leases", () -> acceptLeases(lease));
    daemon("first-lease", PrivateDynamoDbLocal::stopUnlessLeasedSoon);
    forward(data, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  private static List<String> nonLoopbackInterfaces() throws IOException {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .filter(nic -> {
          try {
            return !nic.isLoopback();
          } catch (IOException e) {
            return true;
          }
        })
        .map(NetworkInterface::getName)
        .collect(Collectors.toList());
  }

  private static void startDynamoDbLocal(String[] dynamoArgs) throws Exception {
    // Reflection keeps this file compilable without DynamoDB Local's jars on the class path.
    Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
    try {
      Object server = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) dynamoArgs);
      server.getClass().getMethod("start").invoke(server);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
  }

  /** Binds a socket beside its final path (owner-only) and renames it there, so it appears only once it works. */
  private static ServerSocketChannel bindPrivately(Path socket) throws IOException {
    Path staging = socket.resolveSibling(socket.getFileName() + ".staging");
    Files.deleteIfExists(staging);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(staging));
    Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rw-------"));
    Files.move(staging, socket, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return server;
  }

  private static void acceptLeases(ServerSocketChannel server) {
    for (;;) {
      try {
        SocketChannel holder = server.accept();
        daemon("lease", () -> holdLease(holder));
      } catch (IOException e) {
        stop();
      }
    }
  }

  private static void holdLease(SocketChannel holder) {
    long pid = ProcessHandle.current().pid();
    if (!acquire()) {
      write(holder, "X " + pid + "\n");
      closeQuietly(holder);
      return;
    }
    write(holder, "A " + pid + "\n");
    ByteBuffer request = ByteBuffer.allocate(1);
    boolean asked;
    try {
      asked = holder.read(request) == 1 && request.get(0) == 'R';
    } catch (IOException e) {
      asked = false;
    }
    boolean last = release();
    if (asked) write(holder, last ? "L" : "S");
    closeQuietly(holder);
    if (last) stop();
  }

  private static synchronized boolean acquire() {
    if (closing) return false;
    leases++;
    everLeased = true;
    return true;
  }

  /** True when this was the last lease: the database is closing from now on. */
  private static synchronized boolean release() {
    leases--;
    if (leases > 0) return false;
    closing = true;
    return true;
  }

  private static void stopUnlessLeasedSoon() {
    try {
      Thread.sleep(FIRST_LEASE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (PrivateDynamoDbLocal.class) {
      if (everLeased) return;
      closing = true;
    }
    stop();
  }

  /** Removes the sockets, then exits: a process waiting for this one to exit finds no stale socket. */
  private static void stop() {
    try {
      Files.deleteIfExists(dataSocket);
      Files.deleteIfExists(leaseSocket);
    } catch (IOException e) {
      // A stale socket is replaced by the next start.
    }
    System.exit(0);
  }

  private static void forward(ServerSocketChannel server, InetSocketAddress target) throws IOException {
    for (;;) {
      SocketChannel client = server.accept();
      try {
        SocketChannel upstream = SocketChannel.open(target);
        AtomicInteger open = new AtomicInteger(2);
        daemon("pump", () -> pump(client, upstream, open));
        daemon("pump", () -> pump(upstream, client, open));
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  /**
   * Copies one direction of a connection; an end of stream is passed on as a half close. The
   * last of the two directions to finish closes both channels; an error closes them at once.
   */
  private static void pump(SocketChannel from, SocketChannel to, AtomicInteger open) {
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) to.write(buffer);
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      open.set(1);
    }
    if (open.decrementAndGet() <= 0) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(null, task, name, THREAD_STACK_BYTES);
    thread.setDaemon(true);
    thread.start();
  }

  private static void write(SocketChannel channel, String text) {
    try {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
      while (bytes.hasRemaining()) channel.write(bytes);
    } catch (IOException e) {
      // The holder is gone; its lease ends with its connection.
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Already closed.
    }
  }
}
