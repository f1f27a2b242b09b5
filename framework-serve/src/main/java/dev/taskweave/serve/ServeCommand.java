package dev.taskweave.serve;

import dev.taskweave.core.Taskweave;
import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.store.ModelStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code taskweave serve}: serves a trained model over HTTP until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a trained model over HTTP/JSON: /v1/predict, /v1/recommend, /v1/schema, /health, /ready, /metrics,"
                + " /admin/status, /admin/reload.")
public final class ServeCommand implements Callable<Integer> {
    private static final String COMMAND_LINE = "command line";
    /** how long the shutdown hook waits, beyond the grace period, for a model load to end and the model and plugins to close */
    private static final long CLOSE_MILLIS = TaskweaveServer.LOAD_END_MILLIS + 5_000;

    @ParentCommand
    TaskweaveCli root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory written by train.")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "serve.yaml (port, threads, maxPairs, maxK, formula, watch, ...).")
    Path config;

    @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (overrides serve.yaml; default 8080; 0 = any free port).")
    Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to bind (overrides serve.yaml; default 0.0.0.0).")
    String host;

    @Option(names = "--watch", description = "Reload the model when its directory is replaced (overrides serve.yaml).")
    Boolean watch;

    @Override
    public Integer call() throws Exception {
        // the file's values are checked as it is read, naming it; an option's value names the option
        ServeConfig settings = config == null ? new ServeConfig() : ServeConfig.load(config);
        if (port != null) {
            ServeConfig.checkPort(COMMAND_LINE, "--port", port);
            settings.port = port;
        }
        if (host != null) {
            ServeConfig.checkHost(COMMAND_LINE, "--host", host);
            settings.host = host;
        }
        if (watch != null) {
            settings.watch = watch;
        }
        settings.validate(config == null ? COMMAND_LINE : config.toString());
        ModelStore.requireModelDirectory(model);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (Taskweave tw = Taskweave.start(root.pluginDirectories(), registry);
                TaskweaveServer server = TaskweaveServer.start(tw.injector().getInstance(ModelStore.class), model, settings, registry)) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("serving %s on http://%s:%d (pid %d)%n", model, settings.host, server.port(), ProcessHandle.current().pid());
            out.flush();
            // on SIGTERM the main thread closes the server: /ready turns 503, requests are still served
            // for shutdownDelayMillis, then no new connection is accepted, the requests in flight get
            // shutdownGraceMillis to finish, then the models
            // and plugins close. The JVM exits when this hook returns, so it waits for all of that
            long wait = settings.shutdownDelayMillis + settings.shutdownGraceMillis + CLOSE_MILLIS;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopped.countDown();
                try {
                    closed.await(wait, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "taskweave-serve-stop"));
            stopped.await();
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
