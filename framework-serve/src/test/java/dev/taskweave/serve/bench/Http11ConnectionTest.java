package dev.taskweave.serve.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Http11ConnectionTest {
    private HttpServer server;
    private URI base;
    private final List<String> bodies = new ArrayList<>();
    private final Set<Object> remotes = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // /fixed answers with a Content-Length, /chunked without one (chunked), /busy with 503, /close
        // with Connection: close
        server.createContext("/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            synchronized (bodies) {
                bodies.add(new String(in, StandardCharsets.UTF_8));
            }
            remotes.add(exchange.getRemoteAddress());
            String path = exchange.getRequestURI().getPath();
            byte[] out = "{\"items\": [1, 2, 3]}".repeat(path.equals("/chunked") ? 500 : 1).getBytes(StandardCharsets.UTF_8);
            int status = path.equals("/busy") ? 503 : 200;
            if (path.equals("/close")) {
                exchange.getResponseHeaders().set("Connection", "close");
            }
            exchange.sendResponseHeaders(status, path.equals("/chunked") ? 0 : out.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(out);
            }
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsFixedAndChunkedAnswersOnOneKeptAliveConnection() throws IOException {
        try (Http11Connection c = new Http11Connection(base, 5_000)) {
            for (String path : List.of("/fixed", "/chunked", "/fixed", "/busy", "/chunked")) {
                byte[] body = json("{\"user\": \"" + path + "\"}");
                int status = c.exchange(Http11Connection.postHead(base, path, body.length), body);
                assertEquals(path.equals("/busy") ? 503 : 200, status, path);
            }
        }
        assertEquals(List.of("{\"user\": \"/fixed\"}", "{\"user\": \"/chunked\"}", "{\"user\": \"/fixed\"}",
                "{\"user\": \"/busy\"}", "{\"user\": \"/chunked\"}"), bodies);
        assertEquals(1, remotes.size(), "every request went over the same connection: " + remotes);
    }

    @Test
    void anAnswerThatClosesTheConnectionMakesTheNextExchangeReconnect() throws IOException {
        try (Http11Connection c = new Http11Connection(base, 5_000)) {
            byte[] body = json("{}");
            assertEquals(200, c.exchange(Http11Connection.postHead(base, "/close", body.length), body));
            assertEquals(200, c.exchange(Http11Connection.postHead(base, "/fixed", body.length), body));
            assertEquals(200, c.exchange(Http11Connection.postHead(base, "/fixed", body.length), body));
        }
        assertEquals(2, remotes.size(), "a second connection after the first was closed: " + remotes);
    }

    @Test
    void aServerThatIsGoneIsAnIoException() {
        server.stop(0);
        try (Http11Connection c = new Http11Connection(base, 2_000)) {
            byte[] body = json("{}");
            assertThrows(IOException.class, () -> c.exchange(Http11Connection.postHead(base, "/fixed", body.length), body));
        }
    }
}
