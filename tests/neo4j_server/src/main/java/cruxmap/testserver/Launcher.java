package cruxmap.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Runs a real Neo4j 5 Community server in this JVM for cruxmap's tests.
 *
 * <p>Bolt listens on 127.0.0.1 only; HTTP is off. When the server answers queries the launcher prints
 * exactly one line on stdout, the Bolt URI (e.g. {@code bolt://127.0.0.1:40123}); everything else goes to
 * stderr. It stops cleanly, deleting its store, on SIGTERM/SIGINT and, with {@code --exit-on-eof}, when its
 * standard input closes, so a test process that dies cannot leave a server behind.
 *
 * <pre>
 * usage: Launcher [--port N] [--password PW] [--workdir DIR] [--copy-from HOME] [--page-cache-mb N]
 *                 [--exit-on-eof]
 *   --port N          Bolt port on 127.0.0.1; 0 (default) picks a free one.
 *   --password PW     enable auth with user neo4j and this password (at least 8 characters);
 *                     without it auth is disabled.
 *   --workdir DIR     parent folder for the server's store and logs (default: java.io.tmpdir).
 *   --copy-from HOME  start on a copy of this Neo4j home folder instead of an empty one, e.g. one that
 *                     {@code neo4j-admin database import full} filled: its data/databases/neo4j and
 *                     data/transactions/neo4j become the default database. HOME itself is not changed.
 *   --page-cache-mb N page cache size (default 64).
 *   --exit-on-eof     stop when stdin reaches end of file.
 * </pre>
 */
public final class Launcher {

    private static final String HOST = "127.0.0.1";
    private static final String USER = "neo4j";

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(64);
            return;
        }
        // Neo4j may print to stdout; keep stdout for the URI line alone so callers can parse it.
        PrintStream uriOut = System.out;
        System.setOut(System.err);

        long started = System.nanoTime();
        Neo4j neo4j = build(options).build();
        AtomicBoolean closed = new AtomicBoolean(false);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(neo4j, closed), "neo4j-shutdown"));

        if (options.password != null) {
            setPassword(neo4j, options.password);
        }
        String version = describe(neo4j);
        long millis = (System.nanoTime() - started) / 1_000_000;
        String uri = "bolt://" + HOST + ":" + neo4j.boltURI().getPort();
        System.err.printf("cruxmap-neo4j: %s ready at %s in %d ms (auth %s)%n",
                version, uri, millis, options.password == null ? "disabled" : "enabled, user " + USER);
        uriOut.println(uri);
        uriOut.flush();

        if (options.exitOnEof) {
            watchStdin();
        }
        new CountDownLatch(1).await(); // park the main thread; the shutdown hook does the rest
    }

    private static Neo4jBuilder build(Options options) throws IOException {
        Path workdir = options.workdir != null ? options.workdir : Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(workdir);
        Neo4jBuilder builder = Neo4jBuilders.newInProcessBuilder(workdir);
        if (options.copyFrom != null) {
            // The harness copies HOME into its own fresh server folder, which it deletes on close.
            builder = builder.copyFrom(options.copyFrom);
        }
        return builder
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress(HOST, options.port))
                .withConfig(BoltConnector.advertised_address, new SocketAddress(HOST, options.port))
                .withConfig(GraphDatabaseSettings.auth_enabled, options.password != null)
                .withConfig(GraphDatabaseSettings.pagecache_memory, options.pageCacheMb * 1024L * 1024L)
                // Netty's default 2 s quiet period per event loop group makes every stop take ~5 s.
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
    }

    /** Embedded transactions bypass auth, so the system database can set the password directly. */
    private static void setPassword(Neo4j neo4j, String password) {
        neo4j.databaseManagementService()
                .database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
                .executeTransactionally("ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED",
                        Map.of("password", password));
    }

    private static String describe(Neo4j neo4j) {
        return neo4j.defaultDatabaseService().executeTransactionally(
                "CALL dbms.components() YIELD name, versions, edition "
                        + "RETURN name + ' ' + versions[0] + ' ' + edition AS description",
                Map.of(),
                result -> (String) result.next().get("description"));
    }

    private static void watchStdin() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            try {
                while (in.read() != -1) {
                    // Input is ignored: only its end matters.
                }
            } catch (IOException ignored) {
                // A broken pipe means the parent is gone, same as end of file.
            }
            System.err.println("cruxmap-neo4j: stdin closed, stopping");
            System.exit(0);
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void close(Neo4j neo4j, AtomicBoolean closed) {
        if (closed.compareAndSet(false, true)) {
            System.err.println("cruxmap-neo4j: shutting down");
            neo4j.close();
            System.err.println("cruxmap-neo4j: stopped");
        }
    }

    /** Command-line options; see the class comment. */
    private static final class Options {
        int port = 0;
        String password;
        Path workdir;
        Path copyFrom;
        long pageCacheMb = 64;
        boolean exitOnEof;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--port" -> options.port = Integer.parseInt(value(args, ++i, arg));
                    case "--password" -> options.password = value(args, ++i, arg);
                    case "--workdir" -> options.workdir = Path.of(value(args, ++i, arg));
                    case "--copy-from" -> options.copyFrom = Path.of(value(args, ++i, arg));
                    case "--page-cache-mb" -> options.pageCacheMb = Long.parseLong(value(args, ++i, arg));
                    case "--exit-on-eof" -> options.exitOnEof = true;
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (options.copyFrom != null && !Files.isDirectory(options.copyFrom)) {
                throw new IllegalArgumentException("--copy-from " + options.copyFrom + " is not a folder");
            }
            if (options.password != null && options.password.length() < 8) {
                throw new IllegalArgumentException("--password needs at least 8 characters (Neo4j's minimum)");
            }
            return options;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
