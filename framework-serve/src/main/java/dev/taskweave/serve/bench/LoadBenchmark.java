package dev.taskweave.serve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Load benchmark of a running {@code taskweave serve}: {@code POST /v1/recommend} for users drawn
 * round-robin from the model, at fixed request rates (open loop: request {@code i} is due at
 * {@code i / rate} seconds and its latency counts from then, so a slow server cannot slow the
 * load down), then a closed-loop run of many requests with the server's resident memory read
 * from {@code /proc/<pid>/status} before, during and after. Requests go over kept-alive
 * {@link Http11Connection}s with their bytes prepared in advance, so the generator takes as little
 * as it can of the cores it shares with the server.
 *
 * <pre>
 * java -cp 'distribution/target/taskweave/lib/*' dev.taskweave.serve.bench.LoadBenchmark \
 *     --url http://127.0.0.1:8080 --pid SERVER_PID [--rates 50,100,200,400 | none] [--seconds 20]
 *     [--requests 100000] [--concurrency 4] [--k 10] [--warmup 2000] [--body '{"excludeSeen": true}']
 * </pre>
 */
public final class LoadBenchmark {
    /** Connections (and threads) the open loop can use at once; requests beyond wait for one. */
    private static final int OPEN_LOOP_CONNECTIONS = 16;

    private final URI base;
    private final byte[][] bodies;
    private final byte[][] heads;

    private LoadBenchmark(String url, List<String> users, int k, String extra) {
        this.base = URI.create(url);
        this.bodies = new byte[users.size()][];
        this.heads = new byte[users.size()][];
        for (int u = 0; u < users.size(); u++) {
            bodies[u] = ("{\"user\": \"" + users.get(u) + "\", \"k\": " + k + extra + "}").getBytes(StandardCharsets.UTF_8);
            heads[u] = Http11Connection.postHead(base, "/v1/recommend", bodies[u].length);
        }
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        String url = o.getOrDefault("url", "http://127.0.0.1:8080");
        long pid = Long.parseLong(o.getOrDefault("pid", "-1"));
        String rateList = o.getOrDefault("rates", "50,100,200,400");
        int[] rates = rateList.equals("none") ? new int[0] : Arrays.stream(rateList.split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "20"));
        int requests = Integer.parseInt(o.getOrDefault("requests", "100000"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "4"));
        int k = Integer.parseInt(o.getOrDefault("k", "10"));
        String body = o.getOrDefault("body", "{}").trim();
        String extra = body.equals("{}") ? "" : ", " + body.substring(1, body.length() - 1);

        ObjectMapper json = new ObjectMapper();
        HttpClient plain = HttpClient.newHttpClient();
        JsonNode status = json.readTree(plain.send(HttpRequest.newBuilder(URI.create(url + "/admin/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        List<String> users = new ArrayList<>();
        status.at("/model/userIdsSample").forEach(u -> users.add(u.asText()));
        System.out.printf(Locale.ROOT, "model %s (version %d): %d users, %d items, tasks %s; k=%d%s%n",
                status.at("/model/name").asText(), status.at("/model/version").asInt(), status.at("/model/users").asInt(),
                status.at("/model/items").asInt(), status.at("/model/tasks"), k, extra.isEmpty() ? "" : " with" + extra);

        LoadBenchmark bench = new LoadBenchmark(url, users, k, extra);
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "2000"));
        System.out.printf(Locale.ROOT, "warm-up: %,d requests%n", warmup);
        bench.closedLoop(warmup, concurrency);

        if (rates.length > 0) {
            System.out.println();
            System.out.println("| offered rps | requests | shed (503) | errors | achieved rps | p50 ms | p95 ms | p99 ms | max ms |");
            System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            for (int rate : rates) {
                bench.openLoop(rate, seconds);
            }
            System.out.println("shed: refused with 503 (overloaded) by the server's admission; errors: other answers than 200,"
                    + " and requests that got no answer within 30 s; latencies: over the 200 answers, from when each request was due");
        }

        System.out.println();
        double before = rss(pid);
        System.out.printf(Locale.ROOT, "memory: %,d requests, closed loop with %d concurrent; server RSS before: %s%n", requests,
                concurrency, mb(before));
        long start = System.nanoTime();
        int errors = 0;
        int step = Math.max(1, requests / 10);
        for (int done = 0; done < requests; done += step) {
            errors += bench.closedLoop(Math.min(step, requests - done), concurrency);
            System.out.printf(Locale.ROOT, "  after %,7d requests: RSS %s%n", Math.min(requests, done + step), mb(rss(pid)));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double after = rss(pid);
        System.out.printf(Locale.ROOT, "memory: %,d requests in %.1f s (%.0f rps), %d errors; RSS before %s, after %s (%+.1f MB)%n",
                requests, elapsed, requests / elapsed, errors, mb(before), mb(after), (after - before) / 1048576.0);
        System.exit(0);
    }

    /** Sends request {@code i} (user {@code i} round-robin) on {@code connection}; @return the status */
    private int send(Http11Connection connection, int i) throws IOException {
        int u = i % bodies.length;
        return connection.exchange(heads[u], bodies[u]);
    }

    private void openLoop(int rate, int seconds) throws Exception {
        int n = rate * seconds;
        long[] latencies = new long[n];
        boolean[] answered = new boolean[n];
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger shed = new AtomicInteger();
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime() + 10_000_000L;
        BlockingQueue<Integer> due = new LinkedBlockingQueue<>();
        CountDownLatch done = new CountDownLatch(n);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < OPEN_LOOP_CONNECTIONS; w++) {
            Thread worker = new Thread(() -> {
                try (Http11Connection connection = new Http11Connection(base, 30_000)) {
                    while (true) {
                        int index = due.take();
                        if (index < 0) {
                            return;
                        }
                        int status = -1;
                        try {
                            status = send(connection, index);
                        } catch (IOException e) {
                            // counted as an error below
                        }
                        latencies[index] = System.nanoTime() - (start + index * period);
                        if (status == 200) {
                            answered[index] = true;
                        } else if (status == 503) {
                            shed.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                        done.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "load-" + w);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
        for (int i = 0; i < n; i++) {
            long wait = start + i * period - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            due.add(i);
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (int w = 0; w < workers.size(); w++) {
            due.add(-1);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        long[] ok = new long[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (answered[i]) {
                ok[count++] = latencies[i];
            }
        }
        ok = Arrays.copyOf(ok, count);
        Arrays.sort(ok);
        if (count == 0) {
            System.out.printf(Locale.ROOT, "| %d | %,d | %d | %d | 0 | - | - | - | - |%n", rate, n, shed.get(), errors.get());
            return;
        }
        System.out.printf(Locale.ROOT, "| %d | %,d | %d | %d | %.1f | %.2f | %.2f | %.2f | %.2f |%n", rate, n, shed.get(), errors.get(),
                count / elapsed, ms(ok, 0.50), ms(ok, 0.95), ms(ok, 0.99), ok[count - 1] / 1e6);
    }

    private int closedLoop(int n, int concurrency) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            Thread thread = new Thread(() -> {
                try (Http11Connection connection = new Http11Connection(base, 30_000)) {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        try {
                            if (send(connection, i) != 200) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        return errors.get();
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static double rss(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static String mb(double bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got " + String.join(" ", args));
            }
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }
}
