import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
 * DynamoDB Local reachable only through a Unix socket.
 *
 * <p>DynamoDB Local has no bind-address option: it listens on every interface. The caller starts
 * this JVM in a network namespace of its own (`unshare -rn`), where the only interface is loopback,
 * so that listener is unreachable from anywhere else, even from this machine. This class refuses to
 * start DynamoDB Local unless loopback is indeed the only interface, then forwards every
 * connection made to the Unix socket (mode 0600, in the data folder) to DynamoDB Local's port
 * inside the namespace. Unix sockets are files, so the service outside the namespace can reach
 * them while no network peer can.
 *
 * <p>Arguments: {@code <socket path> <port> <DynamoDB Local arguments...>}. The JVM exits when its
 * standard input closes, so it never outlives the service that started it, whatever killed it.
 */
public final class PrivateDynamoDbLocal {
  /** Exit status when an interface other than loopback is visible (the namespace is missing). */
  static final int NOT_PRIVATE = 78;
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final long PUMP_STACK_BYTES = 256 * 1024;

  private PrivateDynamoDbLocal() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) throw new IllegalArgumentException("usage: <socket path> <port> <DynamoDB Local arguments...>");
    Path socket = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    String[] dynamoArgs = Arrays.copyOfRange(args, 2, args.length);

    List<String> others = nonLoopbackInterfaces();
    if (!others.isEmpty()) {
      System.err.println("Refusing to start DynamoDB Local: network interfaces other than loopback are visible (" + String.join(", ", others) + ").");
      System.exit(NOT_PRIVATE);
    }
    exitWhenStandardInputCloses();
    startDynamoDbLocal(dynamoArgs);
    serve(socket, port);
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

  private static void exitWhenStandardInputCloses() {
    Thread watchdog = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() >= 0) {
          // Nothing is ever sent; only the end of the stream matters.
        }
      } catch (IOException e) {
        // A broken pipe means the same as an end of stream.
      }
      System.exit(0);
    }, "stdin-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
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

  /** Binds the socket beside its final path and renames it there, so it appears only once it works. */
  private static void serve(Path socket, int port) throws IOException {
    Path staging = socket.resolveSibling(socket.getFileName() + ".staging");
    Files.deleteIfExists(staging);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(staging));
    Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rw-------"));
    Files.move(staging, socket, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    for (;;) {
      SocketChannel client = server.accept();
      try {
        SocketChannel upstream = SocketChannel.open(target);
        AtomicInteger open = new AtomicInteger(2);
        pump(client, upstream, open);
        pump(upstream, client, open);
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
    Thread thread = new Thread(null, () -> {
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
    }, "pump", PUMP_STACK_BYTES);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Already closed.
    }
  }
}
