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
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of {@code taskweave serve}: {@code POST /v1/predict}, {@code POST /v1/recommend},
 * {@code GET /health}, {@code GET /ready}, {@code GET /metrics} (Prometheus),
 * {@code GET /admin/status} and {@code POST /admin/reload}. With {@code watch: true} it also
 * reloads the model when its directory is replaced. {@link #close()} stops it gracefully: not
 * ready, still serving for {@code shutdownDelayMillis}, then no new connection, the requests in
 * flight finish (for at most {@code shutdownGraceMillis}), then the model is released.
 */
public final class TaskweaveServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskweaveServer.class);
    private static final String STARTED = "taskweave.started";
    /** loads of a directory that changed meanwhile before a reload gives up */
    private static final int LOAD_ATTEMPTS = 3;
    private static final long LOAD_PAUSE_MILLIS = 100;
    /**
     * how long {@link #close()} waits for the watcher and a load in progress to end, once the
     * requests are done (a load that ends later has its model released); {@code serve}'s shutdown
     * hook gives the whole close {@code shutdownGraceMillis} and as long again as this
     */
    static final long LOAD_END_MILLIS = 10_000;

    /** Reads a model directory for serving. */
    @FunctionalInterface
    public interface ModelLoader {
        /**
         * @param factoredScoring serve.yaml's {@code factoredScoring}
         * @return the model, which the server closes when it no longer serves it
         */
        ServedModel load(Path directory, boolean factoredScoring) throws Exception;
    }

    private final ModelLoader loader;
    private final Path modelDirectory;
    private final ServeConfig config;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json = JsonFields.strictMapper();
    private final ModelHolder<ServedModel> holder;
    private final ScoringService scoring;
    private final Slots scoringSlots;
    private final QueuedThreadPool pool;
    private final ServeMetrics metrics;
    private final Javalin app;
    private final ScheduledExecutorService watcher;
    /** runs the reloads, one at a time, so that no HTTP worker waits for a load */
    private final ExecutorService loads;
    private final Formula configFormula;
    /** the methods each route answers, for the Allow header of a 405 */
    private final Map<String, Set<String>> methods = new TreeMap<>();
    /** the stamp of the directory the serving model was read from (or of the last one that failed to load) */
    private volatile String stamp;
    /** set when {@link #close()} begins: {@code /ready} answers 503 */
    private volatile boolean stopping;

    private TaskweaveServer(ModelLoader loader, Path modelDirectory, ServeConfig config, PrometheusMeterRegistry registry) throws Exception {
        this.loader = loader;
        this.modelDirectory = modelDirectory;
        this.config = config;
        this.registry = registry;
        this.configFormula = config.formula == null ? null : Formula.parse(config.formula);
        DirectoryStamp.Loaded<ServedModel> first = DirectoryStamp.load(modelDirectory, this::loadModel, LOAD_ATTEMPTS, LOAD_PAUSE_MILLIS);
        ServedModel firstModel = fittingServeConfig(first.model());
        this.stamp = first.stamp();
        this.holder = new ModelHolder<>(() -> firstModel);
        this.scoring = new ScoringService(holder, config, json);
        this.scoringSlots = new Slots(scoringSlots(config));
        QueuedThreadPool pool = new QueuedThreadPool(config.threads, Math.min(8, config.threads), 60_000);
        pool.setName("taskweave-http");
        this.pool = pool;
        this.metrics = new ServeMetrics(registry, holder, pool);
        metrics.scoringQueue(scoringSlots);
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.startupWatcherEnabled = false;
            c.jetty.threadPool = pool;
            // checks a declared Content-Length only; body() reads every body through a cap as well
            c.http.maxRequestSize = config.maxRequestBytes;
            // a known path asked with another method is a 405 with an Allow header, not a 404
            c.http.prefer405over404 = true;
            // a body trickling in a byte at a time would hold its worker thread without end
            c.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(config.minRequestBytesPerSecond));
            // a request refused by Jetty itself (the 503 of one that arrives while the server stops) answers JSON too
            c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler(json, () -> stopping)));
        });
        routes();
        this.loads = Executors.newSingleThreadExecutor(daemon("taskweave-model-load"));
        if (config.watch) {
            watcher = Executors.newSingleThreadScheduledExecutor(daemon("taskweave-model-watch"));
            watcher.scheduleWithFixedDelay(this::poll, config.watchIntervalMillis, config.watchIntervalMillis, TimeUnit.MILLISECONDS);
        } else {
            watcher = null;
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private ServedModel loadModel() throws Exception {
        return requireNonNull(loader.load(modelDirectory, config.factoredScoring), "the model loader returned null");
    }

    /**
     * Checks serve.yaml's request defaults against a model just loaded: the requests that give no
     * formula of their own rank by its {@code formula}, so a task it names must be one of the
     * model's, with one output; {@code excludeSeen: true} needs the model's seen.bin.
     *
     * @return the model
     * @throws ConfigException naming serve.yaml's {@code formula} or {@code excludeSeen}, after closing
     *     the model, when it does not fit
     */
    private ServedModel fittingServeConfig(ServedModel served) {
        if (configFormula != null) {
            try {
                served.check(configFormula);
            } catch (FormulaException e) {
                served.close();
                throw new ConfigException(config.source(), "formula", 0, e.getMessage() + " (the model in " + modelDirectory + ")");
            }
        }
        // the default of every /v1/recommend: without seen.bin each known user's request would be refused
        if (config.excludeSeen && !served.loaded().seen().available()) {
            served.close();
            throw new ConfigException(config.source(), "excludeSeen", 0, "true, but the model in " + modelDirectory
                    + " has no seen.bin (saved before it was written): retrain it, or set excludeSeen to false");
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
        return start((directory, factored) -> ServedModel.load(store, directory, factored), modelDirectory, config, registry);
    }

    /**
     * Loads the model with {@code loader} (at start and on every reload) and starts serving on
     * {@code config.host:config.port}; {@link #start(ModelStore, Path, ServeConfig, PrometheusMeterRegistry)}
     * loads it from a {@link ModelStore}.
     *
     * @throws ConfigException as the other {@code start}
     * @throws Exception when the model cannot be loaded
     */
    public static TaskweaveServer start(ModelLoader loader, Path modelDirectory, ServeConfig config, PrometheusMeterRegistry registry)
            throws Exception {
        requireNonNull(loader, "loader is null");
        requireNonNull(modelDirectory, "modelDirectory is null");
        requireNonNull(config, "config is null");
        requireNonNull(registry, "registry is null");
        // before the model loads, and before Jetty, whose own failure to bind is also logged (a second line of the one error)
        String refused = probeBind(config.host, config.port);
        if (refused != null) {
            throw new ConfigException(null, "", 0, "cannot listen on " + config.host + ":" + config.port + ": " + refused);
        }
        TaskweaveServer server = new TaskweaveServer(loader, modelDirectory.toAbsolutePath().normalize(), config, registry);
        try {
            server.app.start(config.host, config.port);
            server.fitSlotsToWorkers();
        } catch (ConfigException e) {
            server.close();
            throw e;
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
     * Binds {@code host:port} and lets it go at once: what would stop the server from listening,
     * found before anything else is done. (Another program can still take the port in between;
     * then the server's own start fails, as {@link #bindFailure} reads.)
     *
     * @return why the address cannot be listened on, or null
     */
    static String probeBind(String host, int port) {
        java.net.InetSocketAddress address = new java.net.InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            return "unknown host (the name does not resolve to an address)";
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true); // as Jetty binds: a port in TIME_WAIT is free to it
            socket.bind(address);
            return null;
        } catch (java.io.IOException | RuntimeException e) {
            return bindFailure(e);
        }
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
        route(HandlerType.GET, "/health", ctx -> send(ctx, 200, json.createObjectNode().put("status", "ok")));
        route(HandlerType.GET, "/ready", ctx -> {
            ObjectNode status = status();
            if (status.get("model") instanceof ObjectNode model) {
                model.remove("userIdsSample"); // a probe polled every few seconds: /admin/status has the sample
            }
            boolean ready = !stopping && holder.current() != null;
            status.put("ready", ready);
            if (stopping) {
                status.put("stopping", true);
            }
            send(ctx, ready ? 200 : 503, status);
        });
        route(HandlerType.GET, "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        if (config.adminToken() != null) {
            byte[] expected = config.adminToken().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            app.before("/admin/*", ctx -> {
                String given = ctx.header("Authorization");
                // the scheme's name in any case (RFC 7235), then the token, compared in constant time: the
                // answer's timing says nothing of how much of a guess was right
                boolean bearer = given != null && given.length() > 7 && given.regionMatches(true, 0, "Bearer ", 0, 7);
                byte[] token = bearer ? given.substring(7).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8) : new byte[0];
                if (!bearer || !java.security.MessageDigest.isEqual(expected, token)) {
                    ctx.header("WWW-Authenticate", "Bearer");
                    throw ApiException.unauthorized("the admin endpoints need Authorization: Bearer <the token of serve.yaml's"
                            + " adminTokenFile>");
                }
            });
        }
        route(HandlerType.GET, "/admin/status", ctx -> send(ctx, 200, status()));
        // the load runs on the load thread; the request waits without an HTTP worker
        route(HandlerType.POST, "/admin/reload", ctx -> ctx.future(() -> reloadAsync().handle((version, failure) -> {
            if (failure == null) {
                send(ctx, 200, status());
            } else {
                sendError(ctx, reloadFailure(unwrap(failure)));
            }
            return null;
        })));
        route(HandlerType.GET, "/v1/schema", ctx -> send(ctx, 200, scoring.schema()));
        route(HandlerType.POST, "/v1/predict", body(scoring::predict));
        route(HandlerType.POST, "/v1/recommend", body(scoring::recommend));
        app.exception(ApiException.class, (e, ctx) -> sendError(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> {
            metrics.error("http_" + e.getStatus(), endpoint(ctx));
            if (e.getStatus() == 405) {
                // routes answer with a trailing slash too (/v1/predict/): their methods are the path's without it
                String path = ctx.path().length() > 1 && ctx.path().endsWith("/") ? ctx.path().replaceAll("/+$", "") : ctx.path();
                ctx.header("Allow", String.join(", ", methods.getOrDefault(path.isEmpty() ? "/" : path, Set.of())));
            }
            send(ctx, e.getStatus(), json.createObjectNode().put("error", "http_" + e.getStatus()).put("field", "")
                    .put("message", Objects.toString(e.getMessage(), "")));
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
            metrics.error("internal", endpoint(ctx));
            send(ctx, 500, json.createObjectNode().put("error", "internal").put("field", "").put("message", e.toString()));
        });
    }

    /**
     * Adds a route, and its method to those the path answers (the Allow header of a 405); a GET
     * route answers HEAD too (Javalin's).
     */
    private void route(HandlerType method, String path, Handler handler) {
        app.addHttpHandler(method, path, handler);
        Set<String> allowed = methods.computeIfAbsent(path, p -> new TreeSet<>());
        allowed.add(method.name());
        if (method == HandlerType.GET) {
            // the same handler, whose body the server leaves out: the headers (Content-Type) and the metrics' endpoint
            // are the GET's (Javalin's own answer to a HEAD was text/plain, counted as unmatched)
            app.addHttpHandler(HandlerType.HEAD, path, handler);
            allowed.add(HandlerType.HEAD.name());
        }
    }

    private void sendError(Context ctx, ApiException e) {
        metrics.error(e.kind(), endpoint(ctx));
        if (e.status() == 503) {
            ctx.header("Retry-After", "1");
        }
        send(ctx, e.status(), json.createObjectNode().put("error", e.kind()).put("field", e.field()).put("message", e.getMessage()));
    }

    /**
     * @return the answer to a reload that failed: 409 when the model did not load (an exception, or
     *     a class missing from a plugin) or its directory kept changing; 503 when the server is
     *     stopping; 500 for an error of the JVM such as {@link OutOfMemoryError} (logged). The
     *     version serving keeps serving.
     */
    private ApiException reloadFailure(Throwable failure) {
        if (failure instanceof ModelHolder.ClosedException) {
            return ApiException.unavailable("the server is stopping; the model is not reloaded");
        }
        ModelHolder.Version<ServedModel> serving = holder.current();
        String kept = serving == null ? "" : "; version " + serving.sequence() + " keeps serving";
        if (failure instanceof Exception || failure instanceof LinkageError) {
            return ApiException.conflict("model", "the model in " + modelDirectory + " failed to load" + kept + ": " + message(failure));
        }
        LOG.error("reloading the model in {} failed", modelDirectory, failure);
        return ApiException.internal("the model in " + modelDirectory + " failed to load" + kept + ": " + failure);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
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
                throw ApiException.badRequest("", "malformed JSON: " + dev.taskweave.core.config.ParserMessages.describeWithLocation(e));
            }
            // a free slot is taken at once (even with maxQueueMillis 0); when every slot is busy the
            // request waits, behind those already waiting (the semaphore is fair), for at most
            // maxQueueMillis from now: the upload of its body does not count as queueing
            boolean admitted;
            try {
                admitted = scoringSlots.tryAcquire(config.maxQueueMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the server stopped while the request waited, past its grace period
                throw ApiException.unavailable("the server stopped before a scoring slot was free; retry on another instance");
            }
            if (!admitted) {
                throw ApiException.overloaded("all " + scoringSlots.size() + " scoring slots stayed busy for "
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
        } catch (org.eclipse.jetty.http.BadMessageException e) {
            // Jetty's own refusal while reading: a body slower than minRequestBytesPerSecond (408)
            throw e.getCode() == 408 ? ApiException.tooSlow("the request body arrived more slowly than " + config.minRequestBytesPerSecond
                    + " bytes per second (minRequestBytesPerSecond): " + e.getReason())
                    : ApiException.badRequest("", "the request body could not be read: " + e.getReason());
        }
    }

    private HttpResponseException tooLarge(String size) {
        return new HttpResponseException(413, "the request body is " + size + "; at most " + config.maxRequestBytes
                + " bytes (maxRequestBytes) are read");
    }

    /** @return how many scoring requests run at once, before the worker threads are counted */
    static int scoringSlots(ServeConfig config) {
        return config.maxConcurrentScoring > 0 ? config.maxConcurrentScoring : Runtime.getRuntime().availableProcessors();
    }

    /** Worker threads kept free of scoring: {@code /health}, {@code /ready}, {@code /metrics} and 503 answers run there. */
    static final int SPARE_WORKERS = 2;

    /**
     * @param workers the pool's threads left to run requests once Jetty has leased its own (to
     *                accept connections and select on them: one to eight of them, by the cores)
     * @return how many scoring requests may run at once: the slots asked for, and never so many that
     *     they hold every worker: a request past them must wait for a slot (and be refused after
     *     {@code maxQueueMillis}), not in Jetty's unbounded queue, and the probes must still be answered
     * @throws ConfigException naming {@code maxConcurrentScoring} when it is set above that
     */
    static int slotsFor(ServeConfig config, int workers) {
        int most = Math.max(1, workers - SPARE_WORKERS);
        if (config.maxConcurrentScoring > most) {
            throw new ConfigException(config.source(), "maxConcurrentScoring", 0, "at most " + most + " with threads: " + config.threads
                    + " (" + workers + " threads run requests once the server has taken its own, and " + SPARE_WORKERS
                    + " stay free for /health, /ready and refusals), got " + config.maxConcurrentScoring
                    + "; raise threads or lower maxConcurrentScoring");
        }
        return Math.min(scoringSlots(config), most);
    }

    /** Caps the scoring slots to the workers Jetty has left, once it has started and leased its threads. */
    private void fitSlotsToWorkers() {
        int slots = slotsFor(config, pool.getMaxAvailableThreads());
        if (slots < scoringSlots.size()) {
            LOG.info("{} scoring slots instead of {}: {} of {} worker threads run requests", slots, scoringSlots.size(),
                    pool.getMaxAvailableThreads(), config.threads);
            scoringSlots.shrinkTo(slots);
        }
    }

    /** A fair semaphore of scoring slots whose number can be lowered once the server has started. */
    static final class Slots extends Semaphore {
        private volatile int size;

        Slots(int size) {
            super(size, true);
            this.size = size;
        }

        /** @return how many slots there are, busy or not */
        int size() {
            return size;
        }

        void shrinkTo(int slots) {
            reducePermits(size - slots);
            size = slots;
        }
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
     * Loads the model directory again and swaps it in, and waits for it ({@link #reloadAsync()}).
     *
     * @return the new version's sequence number
     * @throws Exception the load's failure (the current version keeps serving), or
     *     {@link ModelHolder.ClosedException} once the server is closing
     * @throws Error     the load's error, such as {@link OutOfMemoryError}
     */
    public long reload() throws Exception {
        try {
            return reloadAsync().get();
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Loads the model directory again and swaps it in; a failure leaves the current version serving.
     * A load that overlapped a replacement of the directory is discarded and done again (the files
     * it read may come from two models); a directory that keeps changing fails the reload. A model
     * that lacks a task serve.yaml's {@code formula} names fails it too. Reloads asked for while one
     * runs share the one load that starts after it ({@link ModelHolder#reloadAsync}).
     *
     * @return the new version's sequence number, or the failure
     */
    public CompletableFuture<Long> reloadAsync() {
        return holder.reloadAsync(this::loadForReload, loads);
    }

    /** One load of a reload, counted in the reload metrics. */
    private ServedModel loadForReload() throws Exception {
        // taken before the load: a model written after the failure below is not recorded as seen
        String tried = DirectoryStamp.of(modelDirectory);
        DirectoryStamp.Loaded<ServedModel> loaded;
        try {
            loaded = DirectoryStamp.load(modelDirectory, this::loadModel, LOAD_ATTEMPTS, LOAD_PAUSE_MILLIS);
        } catch (DirectoryStamp.ChangedException e) {
            metrics.reload(false);
            throw e; // the stamp is left as it was: the watcher tries again when the directory settles
        } catch (Exception | Error e) {
            metrics.reload(false);
            stamp = tried; // a broken model (or one the JVM ran out of memory loading) is not loaded again until it changes
            throw e;
        }
        stamp = loaded.stamp(); // a model the formula does not fit is not loaded again until it changes
        try {
            ServedModel served = fittingServeConfig(loaded.model());
            metrics.reload(true);
            return served;
        } catch (RuntimeException e) {
            metrics.reload(false);
            throw e;
        }
    }

    /**
     * Looks at the model directory (every watchIntervalMillis) and reloads when it changed. Never
     * throws, not even an error of the JVM (an {@link OutOfMemoryError} while loading): a throw
     * would cancel the watcher for good.
     */
    private void poll() {
        if (stopping) {
            return; // no load begins while the server drains and stops
        }
        String now;
        try {
            now = DirectoryStamp.of(modelDirectory);
        } catch (Throwable e) {
            LOG.warn("cannot look at the model directory {}: {}", modelDirectory, message(e));
            metrics.reload(false);
            holder.failed(e);
            return;
        }
        if (now == null || now.equals(stamp)) {
            return;
        }
        LOG.info("model directory {} changed; reloading", modelDirectory);
        try {
            reload();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing; the load goes on, and close() waits for it
        } catch (ModelHolder.ClosedException e) {
            LOG.debug("the server is closing; the watcher stops");
        } catch (Throwable e) {
            // recorded by the holder (lastReloadFailure) and counted as a failed reload
            LOG.warn("reload after a change of {} failed: {}", modelDirectory, message(e));
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' ');
    }

    /**
     * Stops the server gracefully: {@code /ready} answers 503 at once; requests are still accepted
     * and answered for {@code shutdownDelayMillis} (0 by default; an interrupt of the calling thread
     * ends that wait early), then the listening socket closes (no new connection); the requests in
     * flight, and reloads being waited for, get
     * {@code shutdownGraceMillis} to finish (a request arriving meanwhile on an open connection is
     * answered 503), then the connections close. Then the watcher and a load still running end, and
     * the model is released (once its last request is done).
     */
    @Override
    public void close() {
        stopping = true;
        if (watcher != null) {
            watcher.shutdownNow(); // a reload it runs goes on, on the load thread
        }
        boolean interrupted = false;
        if (config.shutdownDelayMillis > 0) {
            LOG.info("not ready; serving for shutdownDelayMillis ({} ms) before closing the listener", config.shutdownDelayMillis);
            try {
                Thread.sleep(config.shutdownDelayMillis);
            } catch (InterruptedException e) {
                // the delay ends early; the stop itself goes on, its wait for the requests in flight
                // not cut short by the interrupt, which is set again once the server has stopped
                interrupted = true;
                LOG.info("interrupted during shutdownDelayMillis; closing the listener now");
            }
        }
        long started = System.nanoTime();
        try {
            // Jetty's graceful stop: Javalin's server counts the requests in flight (a StatisticsHandler);
            // stop() closes the listening socket, then waits for them up to this long. Set here, not
            // at start: the stop of a server that failed to bind would report the wait's failure
            // instead of the bind's
            app.jettyServer().server().setStopTimeout(config.shutdownGraceMillis);
            app.stop();
        } catch (RuntimeException e) {
            // the grace period ran out: Jetty closed the connections of the requests still running
            LOG.warn("requests were still running after shutdownGraceMillis ({} ms); their connections were closed: {}",
                    config.shutdownGraceMillis, message(e));
        }
        LOG.info("stopped serving after {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        holder.close(); // no reload starts or swaps in after this; one still loading releases its model
        loads.shutdown();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOAD_END_MILLIS);
        awaitTermination(watcher, "the model watcher", deadline);
        awaitTermination(loads, "a model load", deadline);
        metrics.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTermination(ExecutorService executor, String what, long deadline) {
        if (executor == null) {
            return;
        }
        try {
            if (!executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.warn("{} still runs {} ms after the server stopped; not waiting any longer", what, LOAD_END_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
