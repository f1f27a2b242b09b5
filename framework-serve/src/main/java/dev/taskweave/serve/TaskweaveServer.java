package dev.taskweave.serve;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.model.ModelHolder;
import dev.taskweave.serve.model.ServedModel;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of {@code taskweave serve}: {@code POST /v1/predict}, {@code POST /v1/recommend},
 * {@code GET /health}, {@code GET /ready}, {@code GET /metrics} (Prometheus),
 * {@code GET /admin/status} and {@code POST /admin/reload}. With {@code watch: true} it also
 * reloads the model when its directory is replaced.
 */
public final class TaskweaveServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskweaveServer.class);
    private static final String STARTED = "taskweave.started";

    private final ModelStore store;
    private final Path modelDirectory;
    private final ServeConfig config;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json = new ObjectMapper();
    private final ModelHolder<ServedModel> holder;
    private final ScoringService scoring;
    private final Semaphore scoringSlots;
    private final ServeMetrics metrics;
    private final Javalin app;
    private final ScheduledExecutorService watcher;
    private volatile String stamp;

    private TaskweaveServer(ModelStore store, Path modelDirectory, ServeConfig config, PrometheusMeterRegistry registry) throws Exception {
        this.store = store;
        this.modelDirectory = modelDirectory;
        this.config = config;
        this.registry = registry;
        this.stamp = stamp(modelDirectory);
        this.holder = new ModelHolder<>(() -> ServedModel.load(store, modelDirectory, config.factoredScoring));
        this.scoring = new ScoringService(holder, config, json);
        this.scoringSlots = new Semaphore(scoringSlots(config), true);
        QueuedThreadPool pool = new QueuedThreadPool(config.threads, Math.min(8, config.threads), 60_000);
        pool.setName("taskweave-http");
        this.metrics = new ServeMetrics(registry, holder, pool);
        metrics.scoringQueue(scoringSlots);
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.startupWatcherEnabled = false;
            c.jetty.threadPool = pool;
            c.http.maxRequestSize = config.maxRequestBytes;
        });
        routes();
        if (config.watch) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "taskweave-model-watch");
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(this::poll, config.watchIntervalMillis, config.watchIntervalMillis, TimeUnit.MILLISECONDS);
        } else {
            watcher = null;
        }
    }

    /**
     * Loads the model and starts serving on {@code config.host:config.port}.
     *
     * @throws Exception when the model cannot be loaded or the port bound
     */
    public static TaskweaveServer start(ModelStore store, Path modelDirectory, ServeConfig config, PrometheusMeterRegistry registry)
            throws Exception {
        requireNonNull(store, "store is null");
        requireNonNull(modelDirectory, "modelDirectory is null");
        requireNonNull(config, "config is null");
        requireNonNull(registry, "registry is null");
        TaskweaveServer server = new TaskweaveServer(store, modelDirectory.toAbsolutePath().normalize(), config, registry);
        try {
            server.app.start(config.host, config.port);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("serving {} on http://{}:{}", modelDirectory, config.host, server.port());
        return server;
    }

    /** @return the bound port */
    public int port() {
        return app.port();
    }

    /**
     * @return the admission of scoring requests: one permit per request computing; a request that
     *     cannot take one within {@code maxQueueMillis} is refused with 503
     */
    public Semaphore scoringSlots() {
        return scoringSlots;
    }

    /** @return the model versions */
    public ModelHolder<ServedModel> holder() {
        return holder;
    }

    private void routes() {
        app.before(ctx -> {
            ctx.attribute(STARTED, System.nanoTime());
            metrics.started();
        });
        app.after(ctx -> {
            Long started = ctx.attribute(STARTED);
            if (started != null) {
                metrics.finished(endpoint(ctx), ctx.method().name(), ctx.statusCode(), System.nanoTime() - started);
            }
        });
        app.get("/health", ctx -> send(ctx, 200, json.createObjectNode().put("status", "ok")));
        app.get("/ready", ctx -> {
            ObjectNode status = status();
            boolean ready = holder.current() != null;
            status.put("ready", ready);
            send(ctx, ready ? 200 : 503, status);
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        app.get("/admin/status", ctx -> send(ctx, 200, status()));
        app.post("/admin/reload", ctx -> {
            try {
                reload();
            } catch (Exception e) {
                throw ApiException.conflict("model", "the model in " + modelDirectory + " failed to load; version "
                        + holder.current().sequence() + " keeps serving: " + message(e));
            }
            send(ctx, 200, status());
        });
        app.get("/v1/schema", ctx -> send(ctx, 200, scoring.schema()));
        app.post("/v1/predict", body(scoring::predict));
        app.post("/v1/recommend", body(scoring::recommend));
        app.exception(ApiException.class, (e, ctx) -> {
            metrics.error(e.kind(), endpoint(ctx));
            if (e.status() == 503) {
                ctx.header("Retry-After", "1");
            }
            ObjectNode body = json.createObjectNode().put("error", e.kind()).put("field", e.field()).put("message", e.getMessage());
            send(ctx, e.status(), body);
        });
        app.exception(HttpResponseException.class, (e, ctx) -> {
            metrics.error("http_" + e.getStatus(), endpoint(ctx));
            send(ctx, e.getStatus(), json.createObjectNode().put("error", "http_" + e.getStatus()).put("field", "")
                    .put("message", Objects.toString(e.getMessage(), "")));
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
            metrics.error("internal", endpoint(ctx));
            send(ctx, 500, json.createObjectNode().put("error", "internal").put("field", "").put("message", e.toString()));
        });
    }

    private interface JsonHandler {
        ObjectNode handle(JsonNode body);
    }

    private Handler body(JsonHandler handler) {
        return ctx -> {
            JsonNode body;
            try {
                body = json.readTree(ctx.bodyAsBytes());
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("", "malformed JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
            // the wait counts from when the request arrived: under overload requests also queue for
            // an HTTP worker thread before this handler runs
            long waited = Math.max(0, System.currentTimeMillis() - arrival(ctx));
            if (waited > config.maxQueueMillis
                    || !scoringSlots.tryAcquire(config.maxQueueMillis - waited, TimeUnit.MILLISECONDS)) {
                throw ApiException.overloaded("all " + scoringSlots(config) + " scoring slots stayed busy for "
                        + config.maxQueueMillis + " ms; retry later");
            }
            try {
                send(ctx, 200, handler.handle(body));
            } finally {
                scoringSlots.release();
            }
        };
    }

    /** @return when Jetty received the request, in epoch milliseconds (now, when it does not say) */
    private static long arrival(Context ctx) {
        org.eclipse.jetty.server.Request request = org.eclipse.jetty.server.Request.getBaseRequest(ctx.req());
        long stamp = request == null ? 0 : request.getTimeStamp();
        return stamp > 0 ? stamp : System.currentTimeMillis();
    }

    /** @return how many scoring requests run at once */
    static int scoringSlots(ServeConfig config) {
        return config.maxConcurrentScoring > 0 ? config.maxConcurrentScoring : Runtime.getRuntime().availableProcessors();
    }

    private void send(Context ctx, int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
        ctx.status(status).contentType("application/json").result(bytes);
    }

    private static String endpoint(Context ctx) {
        try {
            String path = ctx.endpointHandlerPath();
            return path == null || path.isEmpty() || path.equals("*") ? "unmatched" : path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    /** @return the status JSON of {@code /admin/status} and {@code /ready} */
    public ObjectNode status() {
        ObjectNode out = json.createObjectNode();
        out.put("directory", modelDirectory.toString());
        ModelHolder.Version<ServedModel> v = holder.current();
        if (v != null) {
            ObjectNode m = scoring.modelInfo(v);
            ServedModel served = v.model();
            m.put("loadedAt", v.loadedAt().toString());
            m.put("inFlight", v.inFlight());
            m.put("users", served.loaded().users().size());
            m.put("items", served.loaded().items().size());
            m.putPOJO("tasks", served.taskNames());
            m.put("factoredScoring", served.factored() != null ? "on"
                    : config.factoredScoring ? "not available for this sharing strategy or a wide model" : "off");
            m.put("excludeSeen", served.loaded().seen().available() ? "available" : "exclude not available (no seen.bin)");
            m.put("defaultFormula", scoring.defaultFormula(served));
            m.putPOJO("userIdsSample", served.loaded().users().rawIds().subList(0, Math.min(1000, served.loaded().users().size())));
            out.set("model", m);
        }
        ModelHolder.Failure failure = holder.lastFailure();
        if (failure != null) {
            out.putObject("lastReloadFailure").put("at", failure.at().toString()).put("reason", failure.reason());
        }
        out.put("watch", config.watch);
        return out;
    }

    /**
     * Loads the model directory again and swaps it in; a failure leaves the current version serving.
     *
     * @return the new version's sequence number
     */
    public long reload() throws Exception {
        String seen = stamp(modelDirectory);
        try {
            long version = holder.reload(() -> ServedModel.load(store, modelDirectory, config.factoredScoring));
            metrics.reload(true);
            return version;
        } catch (Exception e) {
            metrics.reload(false);
            throw e;
        } finally {
            stamp = seen;
        }
    }

    private void poll() {
        try {
            String now = stamp(modelDirectory);
            if (now == null || now.equals(stamp)) {
                return;
            }
            LOG.info("model directory {} changed; reloading", modelDirectory);
            reload();
        } catch (Exception e) {
            LOG.warn("reload after a change of {} failed: {}", modelDirectory, message(e));
        }
    }

    /** @return what identifies one written model directory (inode and manifest time), or null while it is missing */
    private static String stamp(Path dir) {
        try {
            BasicFileAttributes d = Files.readAttributes(dir, BasicFileAttributes.class);
            BasicFileAttributes m = Files.readAttributes(dir.resolve(ModelStore.MANIFEST), BasicFileAttributes.class);
            return d.fileKey() + "/" + m.lastModifiedTime().toMillis() + "/" + m.size();
        } catch (IOException e) {
            return null;
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' ');
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        app.stop();
        holder.close();
        metrics.close();
    }
}
