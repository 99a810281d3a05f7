package bcqkit.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** An HTTP server on 127.0.0.1 with an ephemeral port, for download tests; it only ever talks to this machine. */
final class LocalServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    final List<String> requests = new CopyOnWriteArrayList<>();

    LocalServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    void file(String path, byte[] body) {
        server.createContext(path, ex -> {
            requests.add(path);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
    }

    void status(String path, int code) {
        server.createContext(path, ex -> {
            requests.add(path);
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
    }

    void redirect(String path, String location) {
        server.createContext(path, ex -> {
            requests.add(path);
            ex.getResponseHeaders().add("Location", uri(location).toString());
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
    }

    /** Announces {@code length} bytes, sends {@code prefix}, then sends nothing more for {@code pauseMillis}. */
    void stall(String path, byte[] prefix, int length, long pauseMillis) {
        server.createContext(path, ex -> {
            requests.add(path);
            ex.sendResponseHeaders(200, length);
            OutputStream o = ex.getResponseBody();
            o.write(prefix);
            o.flush();
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(ex);
        });
    }

    private static void closeQuietly(HttpExchange ex) {
        try {
            ex.close();
        } catch (RuntimeException e) {
            // The client has gone; nothing left to tell it.
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
