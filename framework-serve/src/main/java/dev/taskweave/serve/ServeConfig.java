package dev.taskweave.serve;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code serve.yaml}: how {@code taskweave serve} runs. Every field is optional; unknown fields
 * are errors that name the file and the field.
 */
public final class ServeConfig {
    /** Address to bind; {@code 0.0.0.0} for every interface. */
    @JsonProperty public String host = "0.0.0.0";
    /** HTTP port; 0 picks a free one. */
    @JsonProperty public int port = 8080;
    /** Maximum HTTP worker threads. */
    @JsonProperty public int threads = 16;
    /** Most (user, item) pairs one {@code /v1/predict} request may carry. */
    @JsonProperty public int maxPairs = 1000;
    /** Largest {@code k} of {@code /v1/recommend}. */
    @JsonProperty public int maxK = 100;
    /** Largest request body in bytes, declared by Content-Length or sent chunked (larger: 413). */
    @JsonProperty public long maxRequestBytes = 1 << 20;
    /**
     * Default ranking formula; overrides the model's {@code serving.formula}; null to use the model's.
     * Checked against the model at start and on every reload.
     */
    @JsonProperty public String formula;
    /** Default of {@code excludeSeen} in {@code /v1/recommend}. */
    @JsonProperty public boolean excludeSeen;
    /**
     * Most scoring requests ({@code /v1/predict}, {@code /v1/recommend}) computed at once; more
     * only share the cores and all get slower. 0 means one per available processor.
     */
    @JsonProperty public int maxConcurrentScoring = 0;
    /**
     * How long a scoring request may wait for a slot when every slot is busy, counted from when its
     * body was read, before it is refused with 503 ({@code overloaded}, {@code Retry-After: 1})
     * instead of queueing without bound, in milliseconds. A free slot is taken without waiting.
     */
    @JsonProperty public long maxQueueMillis = 200;
    /**
     * The slowest a request body may arrive, in bytes per second over the time since its first
     * byte: a client that sends more slowly is cut off (408) instead of holding a worker thread for
     * as long as it likes, a byte at a time. 0 (the default) for no limit: the rate counts from the
     * first byte, so a small body paused half-way (15 bytes, then 300 ms) is already below 1024;
     * behind a proxy that buffers request bodies the server never sees a slow one.
     */
    @JsonProperty public long minRequestBytesPerSecond = 0;
    /**
     * Rank items for one user from cached item-side activations when the model's sharing strategy
     * allows it (the cache holds items x first-layer units floats per model version); false to
     * always run the plain forward pass.
     */
    @JsonProperty public boolean factoredScoring = true;
    /**
     * A file holding the token that {@code /admin/*} requires ({@code Authorization: Bearer
     * <token>}), for example a mounted secret; read once at start, surrounding white space
     * stripped. Unset, the admin endpoints answer anyone who reaches the port.
     */
    @JsonProperty public String adminTokenFile;
    /** Reload the model when its directory is replaced. */
    @JsonProperty public boolean watch;
    /** How often to look at the model directory when watching, in milliseconds. */
    @JsonProperty public long watchIntervalMillis = 2000;
    /**
     * How long a stopping server (SIGTERM, Ctrl-C) lets the requests in flight finish, in
     * milliseconds: it answers {@code /ready} with 503 and accepts no new connection at once, then
     * waits for the requests it is handling up to this long before it closes their connections and
     * releases the model. 0 stops at once.
     */
    @JsonProperty public long shutdownGraceMillis = 10_000;
    /**
     * How long a stopping server keeps serving after it turns not ready, before it closes the
     * listening socket, in milliseconds: {@code /ready} answers 503 from the signal on, while new
     * connections and requests are still accepted and answered normally, so that a load balancer
     * that probes {@code /ready} (or an orchestrator that removes the instance from its endpoints)
     * stops routing to it before connections are refused. Then the {@link #shutdownGraceMillis}
     * stop begins. 0, the default, closes the socket at once.
     */
    @JsonProperty public long shutdownDelayMillis;

    /** The longest {@link #shutdownGraceMillis} and {@link #shutdownDelayMillis}: ten minutes each. */
    public static final long MAX_SHUTDOWN_GRACE_MILLIS = 600_000;

    /** Where these settings come from, for errors found after {@link #validate}: the file, or the command line. */
    private String source = "serve.yaml";

    /** Reads and checks a serve config file. */
    public static ServeConfig load(Path file) {
        Path directory = file.toAbsolutePath().getParent();
        return parse(ConfigLoader.read(file), file.toString(), directory);
    }

    /** Parses serve config YAML; {@code source} names it in errors; relative paths are read from the working directory. */
    public static ServeConfig parse(String text, String source) {
        return parse(text, source, null);
    }

    /**
     * Parses serve config YAML.
     *
     * @param source    names the text in errors
     * @param directory what a relative path in it ({@code adminTokenFile}) is relative to: the
     *                  file's directory, as an experiment's paths are; null for the working directory
     */
    public static ServeConfig parse(String text, String source, Path directory) {
        ConfigLoader loader = new ConfigLoader();
        Object tree;
        try {
            tree = text.isBlank() ? Map.of() : loader.mapper().readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw ConfigLoader.translate(e, source, "");
        }
        if (tree == null) {
            tree = Map.of();
        }
        if (!(tree instanceof Map)) {
            throw new ConfigException(source, "", 0, "expected a mapping of serve settings (port, threads, maxPairs, ...)");
        }
        ServeConfig config = loader.bind(tree, ServeConfig.class, source, "");
        config.directory = directory;
        config.validate(source);
        return config;
    }

    /**
     * Checks every value and remembers {@code source} for later errors ({@link #source()}).
     *
     * @throws ConfigException naming the field of the first bad value
     */
    public void validate(String source) {
        this.source = source;
        checkPort(source, "port", port);
        check(source, "threads", threads >= 8 && threads <= 1024, "must be in [8, 1024], got " + threads);
        check(source, "maxPairs", maxPairs >= 1, "must be >= 1, got " + maxPairs);
        check(source, "maxK", maxK >= 1, "must be >= 1, got " + maxK);
        check(source, "maxRequestBytes", maxRequestBytes >= 1024, "must be >= 1024, got " + maxRequestBytes);
        check(source, "maxConcurrentScoring", maxConcurrentScoring >= 0, "must be >= 0 (0 = one per processor), got " + maxConcurrentScoring);
        check(source, "maxQueueMillis", maxQueueMillis >= 0, "must be >= 0, got " + maxQueueMillis);
        check(source, "minRequestBytesPerSecond", minRequestBytesPerSecond >= 0, "must be >= 0 (0 = no limit), got "
                + minRequestBytesPerSecond);
        check(source, "watchIntervalMillis", watchIntervalMillis >= 50, "must be >= 50, got " + watchIntervalMillis);
        check(source, "shutdownGraceMillis", shutdownGraceMillis >= 0 && shutdownGraceMillis <= MAX_SHUTDOWN_GRACE_MILLIS,
                "must be in [0, " + MAX_SHUTDOWN_GRACE_MILLIS + "] (0 = stop at once), got " + shutdownGraceMillis);
        check(source, "shutdownDelayMillis", shutdownDelayMillis >= 0 && shutdownDelayMillis <= MAX_SHUTDOWN_GRACE_MILLIS,
                "must be in [0, " + MAX_SHUTDOWN_GRACE_MILLIS + "] (0 = close the listener at once), got " + shutdownDelayMillis);
        checkHost(source, "host", host);
        if (adminTokenFile != null) {
            adminToken = readToken(source, adminTokenFile, directory);
        }
        if (formula != null) {
            try {
                dev.taskweave.core.formula.Formula.parse(formula);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source, "formula", 0, e.getMessage());
            }
        }
    }

    /** The token read from {@link #adminTokenFile}, or null. */
    private String adminToken;
    /** What {@link #adminTokenFile} is relative to, or null for the working directory. */
    private Path directory;

    /** @return the token {@code /admin/*} requires, or null when the admin endpoints are open */
    public String adminToken() {
        return adminToken;
    }

    private static String readToken(String source, String name, Path directory) {
        String token;
        String file = name;
        try {
            Path path = directory == null ? Path.of(name) : directory.resolve(name);
            file = path.toString();
            token = ConfigLoader.read(path).strip();
        } catch (ConfigException e) {
            // the file's own error (file not found, permission denied, not UTF-8), at the setting that names it
            throw new ConfigException(source, "adminTokenFile", 0, "cannot read " + file + ": " + e.reason());
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(source, "adminTokenFile", 0, "cannot read " + file + ": " + e.getMessage());
        }
        if (token.length() < 16 || token.chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigException(source, "adminTokenFile", 0, file + " must hold one token of at least 16 characters without"
                    + " white space, got " + (token.isEmpty() ? "an empty file" : token.length() + " characters"
                    + (token.chars().anyMatch(Character::isWhitespace) ? " with white space" : "")));
        }
        return token;
    }

    /** @return where these settings come from (the file given to {@link #validate}), to name in errors found later */
    public String source() {
        return source;
    }

    /**
     * Checks a port, from this file ({@code port}) or the command line ({@code --port}).
     *
     * @throws ConfigException naming {@code source} and {@code name}
     */
    public static void checkPort(String source, String name, int port) {
        check(source, name, port >= 0 && port <= 65535, "must be in [0, 65535], got " + port);
    }

    /**
     * Checks an address to bind, from this file ({@code host}) or the command line ({@code --host}).
     *
     * @throws ConfigException naming {@code source} and {@code name}
     */
    public static void checkHost(String source, String name, String host) {
        check(source, name, host != null && !host.isBlank(), "must not be empty");
    }

    private static void check(String source, String path, boolean ok, String reason) {
        if (!ok) {
            throw new ConfigException(source, path, 0, reason);
        }
    }
}
