import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Runs DynamoDB Local bound to 127.0.0.1. DynamoDB Local has no bind-address option and listens on every interface;
 * this builds the server from the usual command-line arguments, then points its Jetty connector at loopback before
 * starting it. It also exits when its standard input closes, i.e. when the Node process that started it is gone,
 * however it ended, so no JVM outlives the local cloud. Launched as a single source file
 * (java LoopbackDynamoDBLocal.java ...), so nothing is compiled ahead.
 */
public class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    boolean bound = false;
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).setHost("127.0.0.1");
        bound = true;
      }
    }
    if (!bound) throw new IllegalStateException("DynamoDB Local has no ServerConnector to bind to loopback");
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is sent on stdin; it only tells us the parent is still there.
        }
      } catch (java.io.IOException ignored) {
        // A broken pipe means the same as end of input.
      }
      System.exit(0);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    proxy.start();
    proxy.join();
  }
}
