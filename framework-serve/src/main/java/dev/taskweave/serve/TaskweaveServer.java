package dev.taskweave.serve;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.formula.Formula;
import dev.taskweave.core.formula.FormulaException;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.model.DirectoryStamp;
import dev.taskweave.serve.model.ModelHolder;
import dev.taskweave.serve.model.ServedModel;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
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
    /** loads of a directory that changed meanwhile before a reload gives up */
    private static final int LOAD_ATTEMPTS = 3;
    private static final long LOAD_PAUSE_MILLIS = 100;

    private final ModelStore store;
    private final Path modelDirectory;
    private final ServeConfig config;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json = JsonFields.strictMapper();
    private final ModelHolder<ServedModel> holder;
    private final ScoringService scoring;
    private final Semaphore scoringSlots;
    private final ServeMetrics metrics;
    private final Javalin app;
    private final ScheduledExecutorService watcher;
    private final Formula configFormula;
    /** the stamp of the directory the serving model was read from (or of the last one that failed to load) */
    private volatile String stamp;

    private TaskweaveServer(ModelStore store, Path modelDirectory, ServeConfig config, PrometheusMeterRegistry registry) throws Exception {
        this.store = store;
        this.modelDirectory = modelDirectory;
        this.config = config;
        this.registry = registry;
        this.configFormula = config.formula == null ? null : Formula.parse(config.formula);
        DirectoryStamp.Loaded<ServedModel> first = DirectoryStamp.load(modelDirectory, this::loadModel, LOAD_ATTEMPTS, LOAD_PAUSE_MILLIS);
        ServedModel firstModel = withConfigFormula(first.model());
        this.stamp = first.stamp();
        this.holder = new ModelHolder<>(() -> firstModel);
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
            // checks a declared Content-Length only; body() reads every body through a cap as well
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

    private ServedModel loadModel() {
        return ServedModel.load(store, modelDirectory, config.factoredScoring);
    }

    /**
     * Checks serve.yaml's {@code formula} against a model just loaded: the requests that give no
     * formula of their own rank by it, so a task it names must be one of the model's, with one
     * output.
     *
     * @return the model
     * @throws ConfigException naming serve.yaml's {@code formula}, after closing the model, when it does not fit
     */
    private ServedModel withConfigFormula(ServedModel served) {
        if (configFormula != null) {
            try {
                served.check(configFormula);
            } catch (FormulaException e) {
                served.close();
                throw new ConfigException(config.source(), "formula", 0, e.getMessage() + " (the model in " + modelDirectory + ")");
            }
        }
        return served;
    }

    /**
     * Loads the model and starts serving on {@code config.host:config.port}.
     *
     * @throws ConfigException when serve.yaml's {@code formula} does not fit the model, or the
     *     address cannot be bound (naming the host, the port and why)
     * @throws Exception when the model cannot be loaded
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
            String cause = bindFailure(e);
            if (cause != null) {
                throw new ConfigException(null, "", 0, "cannot listen on " + config.host + ":" + config.port + ": " + cause);
            }
            throw e;
        }
        LOG.info("serving {} on http://{}:{}", modelDirectory, config.host, server.port());
        return server;
    }

    /**
     * @return why the server could not bind its address (the socket's own reason: the port is in
     *     use, the host is unknown, ...), or null when the failure is not about the address. Javalin
     *     reports every bind failure as "port already in use", even an unknown host.
     */
    static String bindFailure(Throwable e) {
        boolean bind = e instanceof JavalinBindException;
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            root = t;
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host (the name does not resolve to an address)";
            }
            if (t instanceof java.net.SocketException) {
                bind = true;
            }
        }
        if (!bind) {
            return null;
        }
        String reason = root.getMessage();
        return reason == null || reason.isBlank() ? root.getClass().getSimpleName() : reason;
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
            if (status.get("model") instanceof ObjectNode model) {
                model.remove("userIdsSample"); // a probe polled every few seconds: /admin/status has the sample
            }
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
                body = JsonFields.parse(json, readBody(ctx));
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("", "malformed JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
            // a free slot is taken at once (even with maxQueueMillis 0); when every slot is busy the
            // request waits, behind those already waiting (the semaphore is fair), for at most
            // maxQueueMillis from now: the upload of its body does not count as queueing
            if (!scoringSlots.tryAcquire(config.maxQueueMillis, TimeUnit.MILLISECONDS)) {
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

    /**
     * Reads the request body, at most {@code maxRequestBytes}: Javalin's own limit checks only a
     * declared Content-Length, and a chunked body declares none.
     *
     * @return the body
     * @throws HttpResponseException 413 when the body is larger
     */
    private byte[] readBody(Context ctx) throws IOException {
        long limit = config.maxRequestBytes;
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(declared + " bytes");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw tooLarge("more than " + limit + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            // the client went away or sent a broken body (a bad chunk): its request, not the server, failed
            throw ApiException.badRequest("", "the request body could not be read: " + e.getMessage());
        }
    }

    private HttpResponseException tooLarge(String size) {
        return new HttpResponseException(413, "the request body is " + size + "; at most " + config.maxRequestBytes
                + " bytes (maxRequestBytes) are read");
    }

    /** @return how many scoring requests run at once */
    static int scoringSlots(ServeConfig config) {
        return config.maxConcurrentScoring > 0 ? config.maxConcurrentScoring : Runtime.getRuntime().availableProcessors();
    }

    private void send(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(write(json, body));
    }

    /**
     * @return {@code body} as JSON, with every number that is not finite (a formula's NaN or
     *     infinity, say {@code log(like - 1)}) written as {@code null}: Jackson would write the
     *     strings "NaN" and "Infinity", which a client reading numbers cannot take
     */
    static byte[] write(ObjectMapper json, JsonNode body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = new JsonGeneratorDelegate(json.getFactory().createGenerator(out), true) {
            @Override
            public void writeNumber(double v) throws IOException {
                if (Double.isFinite(v)) {
                    super.writeNumber(v);
                } else {
                    writeNull();
                }
            }

            @Override
            public void writeNumber(float v) throws IOException {
                if (Float.isFinite(v)) {
                    super.writeNumber(v);
                } else {
                    writeNull();
                }
            }
        }) {
            json.writeTree(generator, body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
        return out.toByteArray();
    }

    /** @return the route a request matched, or "unmatched" (a 404 or 405) */
    private static String endpoint(Context ctx) {
        try {
            String path = ctx.endpointHandlerPath();
            // Javalin names a request no route matched by a sentence ("No handler matched ...")
            return path == null || !path.startsWith("/") ? "unmatched" : path;
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
            m.put("factoredScoring", served.factored() != null ? "on" : config.factoredScoring ? "not available: "
                    + java.util.Objects.requireNonNullElse(dev.taskweave.core.run.FactoredScorer.unavailable(served.loaded().model()),
                            "the sharing strategy gives no input map (cross-stitch, separate, soft-l2, or no first layer)")
                    : "off");
            m.put("excludeSeen", served.loaded().seen().available() ? "available" : "exclude not available (no seen.bin)");
            m.put("defaultFormula", scoring.defaultFormula(served));
            if (!served.loaded().warnings().isEmpty()) {
                m.putPOJO("warnings", served.loaded().warnings());
            }
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
     * A load that overlapped a replacement of the directory is discarded and done again (the files
     * it read may come from two models); a directory that keeps changing fails the reload. A model
     * that lacks a task serve.yaml's {@code formula} names fails it too.
     *
     * @return the new version's sequence number
     */
    public long reload() throws Exception {
        try {
            long version = holder.reload(() -> {
                DirectoryStamp.Loaded<ServedModel> loaded;
                // taken before the load: a model written after the failure below is not recorded as seen
                String tried = DirectoryStamp.of(modelDirectory);
                try {
                    loaded = DirectoryStamp.load(modelDirectory, this::loadModel, LOAD_ATTEMPTS, LOAD_PAUSE_MILLIS);
                } catch (DirectoryStamp.ChangedException e) {
                    throw e; // the stamp is left as it was: the watcher tries again when the directory settles
                } catch (Exception e) {
                    stamp = tried; // a broken model is not loaded again until it changes
                    throw e;
                }
                stamp = loaded.stamp(); // a model the formula does not fit is not loaded again until it changes
                return withConfigFormula(loaded.model());
            });
            metrics.reload(true);
            return version;
        } catch (Exception e) {
            metrics.reload(false);
            throw e;
        }
    }

    private void poll() {
        try {
            String now = DirectoryStamp.of(modelDirectory);
            if (now == null || now.equals(stamp)) {
                return;
            }
            LOG.info("model directory {} changed; reloading", modelDirectory);
            reload();
        } catch (Exception e) {
            LOG.warn("reload after a change of {} failed: {}", modelDirectory, message(e));
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
