package dev.taskweave.serve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.run.FactoredScorer;
import dev.taskweave.core.run.ResolvedTask;
import dev.taskweave.core.run.TaskScorer;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.ScoringService;
import dev.taskweave.serve.ServeConfig;
import dev.taskweave.serve.model.ModelHolder;
import dev.taskweave.serve.model.ServedModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * In-process profile of {@code /v1/recommend}: times the whole request handling (validation,
 * scoring, ranking, JSON) without HTTP, and the scoring passes alone, on one thread, for users
 * taken round-robin. Separates the server's own cost from what the network and the load
 * generator add in {@link LoadBenchmark}.
 *
 * <pre>
 * java -cp 'distribution/target/taskweave/lib/*' dev.taskweave.serve.bench.ScoringProfile \
 *     MODEL_DIR PLUGINS_DIR [requests (default 2000)] [formula (default: the model's)]
 * </pre>
 */
public final class ScoringProfile {
    private ScoringProfile() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ScoringProfile MODEL_DIR PLUGINS_DIR [requests] [formula]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        Path plugins = Path.of(args[1]);
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        String formula = args.length > 3 ? args[3] : null;
        ObjectMapper json = new ObjectMapper();
        try (Taskweave tw = Taskweave.start(List.of(plugins))) {
            ModelStore store = tw.injector().getInstance(ModelStore.class);
            ServeConfig config = new ServeConfig();
            try (ModelHolder<ServedModel> holder = new ModelHolder<>(() -> ServedModel.load(store, model, true))) {
                ScoringService scoring = new ScoringService(holder, config, json);
                ServedModel served = holder.current().model();
                List<String> users = served.loaded().users().rawIds();
                int items = served.loaded().items().size();
                int[] all = new int[items];
                Arrays.setAll(all, i -> i);
                int[] tasks = served.model().tasks().stream().mapToInt(ResolvedTask::index).toArray();
                FactoredScorer factored = served.factored();
                // the factored scorer covers every task, wide parts included
                int[] factoredTasks = factored == null ? new int[0] : tasks;
                System.out.printf(Locale.ROOT, "model %s: %d users, %d items, tasks %s, factored %s%n", model, users.size(), items,
                        served.taskNames(), factored != null);
                int warmup = Math.min(500, requests);
                long[] request = new long[requests];
                long[] allTasks = new long[requests];
                long[] plain = new long[requests];
                for (int pass = 0; pass < 2; pass++) {
                    int n = pass == 0 ? warmup : requests;
                    for (int r = 0; r < n; r++) {
                        String user = users.get(r % users.size());
                        ObjectNode body = json.createObjectNode().put("user", user).put("k", 10);
                        if (formula != null) {
                            body.put("formula", formula);
                        }
                        long t0 = System.nanoTime();
                        scoring.recommend(body);
                        long t1 = System.nanoTime();
                        int index = r % users.size();
                        if (factored != null) {
                            factored.score(served.gatherer(), index, null, factoredTasks, served.manager());
                        }
                        long t2 = System.nanoTime();
                        if (r % 10 == 0) {
                            int[] u = new int[items];
                            Arrays.fill(u, index);
                            TaskScorer.score(served.model(), served.gatherer(), u, all, tasks, served.manager());
                        }
                        long t3 = System.nanoTime();
                        if (pass == 1) {
                            request[r] = t1 - t0;
                            allTasks[r] = t2 - t1;
                            plain[r] = r % 10 == 0 ? t3 - t2 : -1;
                        }
                    }
                }
                String trace = System.getenv("TASKWEAVE_PROFILE_TRACE");
                if (trace != null && factored != null) {
                    // PyTorch's operator profiler over 200 factored scorings, as a Chrome trace
                    ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
                    for (int r = 0; r < 200; r++) {
                        factored.score(served.gatherer(), r % users.size(), null, factoredTasks, served.manager());
                    }
                    ai.djl.pytorch.jni.JniUtils.stopProfile(trace);
                }
                print("recommend (in process, k=10, every item)", request);
                if (factored != null) {
                    print("factored scoring, every task without a wide part, every item", allTasks);
                }
                print("plain forward pass, every task, every item", Arrays.stream(plain).filter(v -> v >= 0).toArray());
            }
        }
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-45s n=%d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  mean %.2f ms%n", what, s.length,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[(int) (s.length * 0.99)] / 1e6,
                Arrays.stream(s).average().orElse(0) / 1e6);
    }
}
