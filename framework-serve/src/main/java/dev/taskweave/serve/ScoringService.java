package dev.taskweave.serve;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.core.data.EntityRow;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.data.InvalidFeatureException;
import dev.taskweave.core.run.FactoredScorer;
import dev.taskweave.core.run.ResolvedTask;
import dev.taskweave.core.run.TaskScorer;
import dev.taskweave.core.store.SeenItems;
import dev.taskweave.core.formula.Formula;
import dev.taskweave.core.formula.FormulaException;
import dev.taskweave.serve.model.ModelHolder;
import dev.taskweave.serve.model.ServedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The logic of {@code /v1/predict} and {@code /v1/recommend}: validates a request, leases the
 * current model version for the whole request, scores in one batched forward pass that runs only
 * the heads needed, and builds the JSON answer.
 */
public final class ScoringService {
    private static final Set<String> PREDICT_FIELDS = Set.of("pairs", "tasks");
    private static final Set<String> PAIR_FIELDS = Set.of("user", "userFeatures", "item", "itemFeatures", "context");
    private static final Set<String> RECOMMEND_FIELDS = Set.of("user", "userFeatures", "k", "candidates", "excludeSeen", "formula", "tasks",
            "context");
    private static final Set<String> CANDIDATE_FIELDS = Set.of("item", "itemFeatures");

    private final ModelHolder<ServedModel> holder;
    private final ServeConfig config;
    private final ObjectMapper json;
    private final Formula configFormula;

    public ScoringService(ModelHolder<ServedModel> holder, ServeConfig config, ObjectMapper json) {
        this.holder = requireNonNull(holder, "holder is null");
        this.config = requireNonNull(config, "config is null");
        this.json = requireNonNull(json, "json is null");
        this.configFormula = config.formula == null ? null : Formula.parse(config.formula);
    }

    /** A user or item resolved against the model: a known index, or a row built from side features. */
    private record Resolved(String id, int index, EntityRow row) {}

    /** Scores (user, item) pairs for the requested tasks. */
    public ObjectNode predict(JsonNode body) {
        JsonFields.object(body, "");
        JsonFields.onlyKnown(body, "", PREDICT_FIELDS);
        JsonNode pairs = JsonFields.array(body, "pairs", "");
        if (pairs == null) {
            throw ApiException.badRequest("pairs", "missing: give a list of {\"user\": ..., \"item\": ...}");
        }
        if (pairs.isEmpty()) {
            throw ApiException.badRequest("pairs", "is empty");
        }
        if (pairs.size() > config.maxPairs) {
            throw ApiException.badRequest("pairs", "too many pairs: " + pairs.size() + " (at most " + config.maxPairs + ")");
        }
        try (ModelHolder.Lease<ServedModel> lease = holder.acquire()) {
            ServedModel served = lease.model();
            List<ResolvedTask> tasks = tasks(served, JsonFields.strings(body, "tasks", ""), "tasks");
            int n = pairs.size();
            List<Resolved> users = new ArrayList<>(n);
            List<Resolved> items = new ArrayList<>(n);
            List<Map<String, Float>> contexts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String path = "pairs[" + i + "]";
                JsonNode pair = JsonFields.object(pairs.get(i), path);
                JsonFields.onlyKnown(pair, path, PAIR_FIELDS);
                users.add(user(served, pair, path));
                items.add(pairItem(served, pair, path));
                contexts.add(context(served, pair, path));
            }
            float[][] scores = scoreMixedPairs(served, users, items, contexts, tasks);
            ObjectNode out = json.createObjectNode();
            out.set("model", modelInfo(lease.version()));
            ArrayNode taskNames = out.putArray("tasks");
            tasks.forEach(t -> taskNames.add(t.name()));
            ArrayNode rows = out.putArray("scores");
            for (int i = 0; i < n; i++) {
                ObjectNode row = pairAnswer(rows.addObject(), users.get(i).id(), items.get(i).id(), pairs.get(i));
                ObjectNode s = row.putObject("scores");
                for (int t = 0; t < tasks.size(); t++) {
                    putScore(s, tasks.get(t).name(), scores[t], i, scores[t].length / n);
                }
            }
            return out;
        }
    }

    /**
     * Starts the answer to one {@code /v1/predict} pair with what tells it from the others: the
     * user's and the item's ids when the pair has them, and the pair's {@code context} as the
     * request gave it (the same names and JSON values, {@code null}s included, in the same order),
     * so that answers for one (user, item) at several moments can be told apart without counting
     * positions. A pair without {@code context} (or with {@code "context": null}) gets none.
     *
     * @param pair the pair as the request gave it, already checked
     * @return {@code row}, to which the caller adds the scores
     */
    static ObjectNode pairAnswer(ObjectNode row, String user, String item, JsonNode pair) {
        if (user != null) {
            row.put("user", user);
        }
        if (item != null) {
            row.put("item", item);
        }
        JsonNode context = pair.get("context");
        if (context != null && !context.isNull()) {
            row.set("context", context);
        }
        return row;
    }

    /**
     * Resolves a request's {@code user} and {@code userFeatures} as {@link #recommend} does, with
     * the same errors, and scores nothing: an offline run over many users checks every new user's
     * features before it scores the first list.
     */
    public void checkUser(JsonNode body) {
        try (ModelHolder.Lease<ServedModel> lease = holder.acquire()) {
            user(lease.model(), body, "");
        }
    }

    /** Ranks items for one user by a formula over task scores. */
    public ObjectNode recommend(JsonNode body) {
        JsonFields.object(body, "");
        JsonFields.onlyKnown(body, "", RECOMMEND_FIELDS);
        Long kValue = JsonFields.integer(body, "k", "");
        // 10 by default, or maxK when the server allows fewer: a client that sends no k is never refused for it
        if (kValue != null && (kValue < 1 || kValue > config.maxK)) {
            throw ApiException.badRequest("k", "must be between 1 and " + config.maxK + ", got " + kValue);
        }
        int k = kValue == null ? Math.min(10, config.maxK) : kValue.intValue();
        Boolean excludeValue = JsonFields.bool(body, "excludeSeen", "");
        boolean exclude = excludeValue == null ? config.excludeSeen : excludeValue;
        String formulaText = JsonFields.string(body, "formula", "");
        JsonNode candidateList = JsonFields.array(body, "candidates", "");
        List<String> extraTasks = JsonFields.strings(body, "tasks", "");
        try (ModelHolder.Lease<ServedModel> lease = holder.acquire()) {
            ServedModel served = lease.model();
            Formula formula = formula(served, formulaText);
            Resolved user = user(served, body, "");
            Map<String, Float> context = context(served, body, "");
            EntityTable itemTable = served.loaded().items();
            // a candidate is a model item's index, or -1 - j for the j-th new item (never a seen item)
            int[] candidates;
            List<Resolved> newItems = new ArrayList<>();
            if (candidateList == null) {
                candidates = new int[itemTable.size()];
                Arrays.setAll(candidates, i -> i);
            } else {
                candidates = candidates(served, candidateList, newItems, config.maxPairs);
            }
            SeenItems seen = served.loaded().seen();
            // a new user (userFeatures) has seen nothing: there is nothing to exclude, with or without seen.bin
            if (exclude && !seen.available() && user.row() == null) {
                throw ApiException.badRequest("excludeSeen", "exclude not available: the model directory " + served.directory()
                        + " has no seen.bin (saved before it was written); retrain or set excludeSeen to false");
            }
            int[] seenItems = exclude && user.row() == null ? seen.items(user.index()) : new int[0];

            // an unknown name in tasks is refused before the candidates are scored, not after
            List<ResolvedTask> reported = tasks(served, extraTasks, "tasks");

            // pass 1: the formula's heads over every candidate, in one batch
            List<ResolvedTask> formulaTasks = new ArrayList<>();
            for (String name : formula.tasks()) {
                formulaTasks.add(served.model().task(name));
            }
            FeatureGatherer gatherer = served.gatherer();
            int userIndex = user.index();
            if (user.row() != null) {
                gatherer = served.gatherer(EntityRow.table(Entity.USER, served.model().features(), List.of(user.row())));
                userIndex = 0;
            }
            gatherer = gatherer.atMoment(context);
            float[][] scores = scoreCandidates(served, user, gatherer, userIndex, candidates, newItems, candidateList == null,
                    formulaTasks, seenItems, context);
            int[] top = top(formula, scores, candidates, seenItems, k);

            // pass 2: the other tasks, for the top k only
            List<ResolvedTask> rest = reported.stream().filter(t -> !formula.tasks().contains(t.name())).toList();
            int[] topItems = new int[top.length];
            for (int i = 0; i < top.length; i++) {
                topItems[i] = candidates[top[i]];
            }
            float[][] restScores = scoreCandidates(served, user, gatherer, userIndex, topItems, newItems, false, rest, null, context);

            ObjectNode out = json.createObjectNode();
            out.set("model", modelInfo(lease.version()));
            if (user.id() != null) {
                out.put("user", user.id());
            }
            out.put("coldStart", user.row() != null);
            out.put("formula", formula.text());
            out.put("excludeSeen", exclude);
            out.put("candidates", candidates.length);
            // the moment the list was ranked at, as the request gave it (as /v1/predict repeats each pair's)
            JsonNode given = body.get("context");
            if (given != null && !given.isNull()) {
                out.set("context", given);
            }
            ArrayNode list = out.putArray("items");
            double[] values = new double[formulaTasks.size()];
            for (int r = 0; r < top.length; r++) {
                int c = top[r];
                ObjectNode row = list.addObject();
                if (candidates[c] >= 0) {
                    row.put("item", itemTable.rawIds().get(candidates[c]));
                } else {
                    row.put("item", newItems.get(-1 - candidates[c]).id());
                    row.put("newItem", true);
                }
                for (int t = 0; t < values.length; t++) {
                    values[t] = scores[t][c];
                }
                row.put("score", formula.evaluate(values));
                ObjectNode s = row.putObject("scores");
                for (ResolvedTask t : served.model().tasks()) {
                    int f = formulaTasks.indexOf(t);
                    int x = rest.indexOf(t);
                    if (f >= 0) {
                        s.put(t.name(), scores[f][c]);
                    } else if (x >= 0) {
                        putScore(s, t.name(), restScores[x], r, restScores[x].length / Math.max(1, top.length));
                    }
                }
            }
            return out;
        }
    }

    /**
     * Reads {@code candidates}: each an item id of the model, or {@code {"item": id, "itemFeatures":
     * {...}}} for an item the model does not know (an object naming a known id is that item).
     * Repeats count once (a new item repeated must have the same features). New items are scored as {@code /v1/predict} scores pairs, so at most
     * {@code maxPairs} of them (the model's own items are not limited).
     *
     * @param newItems receives the new items, in order; their candidates are {@code -1 - j}
     * @param maxNewItems the most distinct new items
     */
    private static int[] candidates(ServedModel served, JsonNode list, List<Resolved> newItems, int maxNewItems) {
        if (list.isEmpty()) {
            throw ApiException.badRequest("candidates", "is empty; leave it out to rank every item");
        }
        int fresh = countNewItems(served, list);
        if (fresh > maxNewItems) {
            throw ApiException.badRequest("candidates", "too many new items: " + fresh + " (at most " + maxNewItems + ", maxPairs: each"
                    + " item given by itemFeatures is scored as a /v1/predict pair; the model's own items, given by id, are not limited)");
        }
        Set<Integer> distinct = new LinkedHashSet<>();
        Map<String, Integer> newIds = new java.util.HashMap<>();
        Map<String, Integer> listedAt = new java.util.HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "candidates[" + i + "]";
            JsonNode c = list.get(i);
            if (c.isTextual()) {
                distinct.add(item(served, c.asText(), path));
                continue;
            }
            if (!c.isObject()) {
                throw ApiException.badRequest(path, "expected a string (an item id) or an object {\"item\": ..., \"itemFeatures\": {...}}"
                        + " (a new item), got " + JsonFields.describe(c));
            }
            JsonFields.onlyKnown(c, path, CANDIDATE_FIELDS);
            Resolved item = resolve(served, Entity.ITEM, c, path);
            if (item.row() == null) {
                distinct.add(item.index());
            } else if (item.id() == null) {
                throw ApiException.badRequest(path + ".item", "missing: a new item needs an id to be listed by");
            } else {
                Integer j = newIds.get(item.id());
                if (j == null) {
                    j = newItems.size();
                    newIds.put(item.id(), j);
                    listedAt.put(item.id(), i);
                    newItems.add(item);
                } else if (!java.util.Objects.equals(c.get("itemFeatures"), list.get(listedAt.get(item.id())).get("itemFeatures"))) {
                    // a repeat is the same item once; with other features it is not the same item, and
                    // keeping either would drop the other without a word
                    throw ApiException.badRequest(path + ".itemFeatures", "new item '" + item.id() + "' is listed at candidates["
                            + listedAt.get(item.id()) + "] with other features; give each new item once, or the same features");
                }
                distinct.add(-1 - j);
            }
        }
        return distinct.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @return how many distinct new items {@code candidates} lists: objects whose {@code item} is
     *     not an id of the model (counted once per id; an object without one counts too, and is
     *     refused later), before their features are read
     */
    private static int countNewItems(ServedModel served, JsonNode list) {
        Set<String> ids = new java.util.HashSet<>();
        int withoutId = 0;
        for (JsonNode c : list) {
            if (!c.isObject()) {
                continue;
            }
            JsonNode id = c.get("item");
            if (id == null || !id.isTextual()) {
                withoutId++;
            } else if (served.loaded().items().indexOf(id.asText()) < 0) {
                ids.add(id.asText());
            }
        }
        return ids.size() + withoutId;
    }

    /**
     * Scores candidates for one user: the model's items as {@link #scoreForUser} does, new items
     * ({@code -1 - j}) through a table of their rows, as {@code /v1/predict} scores them.
     */
    private static float[][] scoreCandidates(ServedModel served, Resolved user, FeatureGatherer gatherer, int userIndex,
            int[] candidates, List<Resolved> newItems, boolean allItems, List<ResolvedTask> tasks, int[] discarded,
            Map<String, Float> context) {
        if (newItems.isEmpty() || tasks.isEmpty()) {
            return scoreForUser(served, gatherer, userIndex, candidates, allItems, tasks, discarded);
        }
        int n = candidates.length;
        int[] known = IntStream.range(0, n).filter(c -> candidates[c] >= 0).toArray();
        int[] fresh = IntStream.range(0, n).filter(c -> candidates[c] < 0).toArray();
        float[][] scores = new float[tasks.size()][];
        if (known.length > 0) {
            place(scores, known, n, scoreForUser(served, gatherer, userIndex, IntStream.of(known).map(c -> candidates[c]).toArray(),
                    false, tasks, discarded));
        }
        if (fresh.length > 0) {
            List<FeatureSpec> features = served.model().features();
            EntityTable userTable = user.row() == null ? null : EntityRow.table(Entity.USER, features, List.of(user.row()));
            EntityTable itemTable = EntityRow.table(Entity.ITEM, features,
                    IntStream.of(fresh).mapToObj(c -> newItems.get(-1 - candidates[c]).row()).toList());
            int[] users = new int[fresh.length];
            Arrays.fill(users, user.row() == null ? user.index() : 0);
            place(scores, fresh, n, scorePairs(served, served.gatherer(userTable, itemTable).atMoment(context), users,
                    IntStream.range(0, fresh.length).toArray(), tasks, false));
        }
        return scores;
    }

    /**
     * Scores items for one user: from the model's cached item-side activations when it has them,
     * else by the plain forward pass.
     *
     * @param allItems  true when {@code items} is every item in index order
     * @param discarded sorted item indices whose scores will not be used (excluded seen items), or null
     */
    private static float[][] scoreForUser(ServedModel served, FeatureGatherer gatherer, int user, int[] items, boolean allItems,
            List<ResolvedTask> tasks, int[] discarded) {
        if (tasks.isEmpty()) {
            return new float[0][]; // the formula's tasks were all the request wanted: no second pass
        }
        int[] users = new int[items.length];
        Arrays.fill(users, user);
        FactoredScorer factored = served.factored();
        // a context that sets an item-side feature changes every item's row: the cache holds their own values
        if (factored == null || gatherer.momentSetsItemFeatures()
                || tasks.stream().anyMatch(t -> TaskScorer.attributeEntity(t) != null)) {
            return scorePairs(served, gatherer, users, items, tasks, true);
        }
        int[] taskIndex = tasks.stream().mapToInt(ResolvedTask::index).toArray();
        return factored.score(gatherer, user, allItems ? null : items, taskIndex, discarded, served.manager());
    }

    /**
     * Scores pairs of which some users or items may be new (given by their features), in up to four
     * groups: known users with known items through the model's own tables, and each group with new
     * users or new items through a table of their rows. A known user's row with a known item reads
     * the histories it would read alone (a history leaves the row's own interaction out only where
     * both sides are the model's own), and a new entity has no history, as a cold one.
     */
    private static float[][] scoreMixedPairs(ServedModel served, List<Resolved> users, List<Resolved> items,
            List<Map<String, Float>> contexts, List<ResolvedTask> tasks) {
        int n = items.size();
        float[][] scores = new float[tasks.size()][];
        for (boolean newUsers : new boolean[] {false, true}) {
            for (boolean newItems : new boolean[] {false, true}) {
                int[] group = IntStream.range(0, n)
                        .filter(i -> (users.get(i).row() != null) == newUsers && (items.get(i).row() != null) == newItems).toArray();
                if (group.length == 0) {
                    continue;
                }
                List<FeatureSpec> features = served.model().features();
                EntityTable userTable = newUsers
                        ? EntityRow.table(Entity.USER, features, IntStream.of(group).mapToObj(i -> users.get(i).row()).toList()) : null;
                EntityTable itemTable = newItems
                        ? EntityRow.table(Entity.ITEM, features, IntStream.of(group).mapToObj(i -> items.get(i).row()).toList()) : null;
                int[] u = newUsers ? IntStream.range(0, group.length).toArray() : IntStream.of(group).map(i -> users.get(i).index()).toArray();
                int[] it = newItems ? IntStream.range(0, group.length).toArray() : IntStream.of(group).map(i -> items.get(i).index()).toArray();
                // each pair's context, in the group's order; NaN reads the user's current value
                Map<String, float[]> moments = new java.util.LinkedHashMap<>();
                for (int j = 0; j < group.length; j++) {
                    for (Map.Entry<String, Float> value : contexts.get(group[j]).entrySet()) {
                        float[] column = moments.computeIfAbsent(value.getKey(), name -> {
                            float[] values = new float[group.length];
                            Arrays.fill(values, Float.NaN);
                            return values;
                        });
                        column[j] = value.getValue();
                    }
                }
                place(scores, group, n, scorePairs(served, served.gatherer(userTable, itemTable).forRows(moments), u, it, tasks,
                        !newItems));
            }
        }
        return scores;
    }

    /** Copies the scores of some pairs ({@code part}, rows in {@code positions} order) to their positions among {@code n}. */
    private static void place(float[][] scores, int[] positions, int n, float[][] part) {
        for (int t = 0; t < scores.length; t++) {
            int width = part[t].length / positions.length;
            if (scores[t] == null) {
                scores[t] = new float[n * width];
            }
            for (int j = 0; j < positions.length; j++) {
                System.arraycopy(part[t], j * width, scores[t], positions[j] * width, width);
            }
        }
    }

    /**
     * Scores (user, item) pairs, each task on the rows it was trained on
     * ({@link TaskScorer#scorePairs}); item attributes of the model's own items come from its
     * per-item scores.
     *
     * @param modelItems true when {@code items} index the model's own item table
     *
     * @return per task, {@code pairs x outputs} scores in pair order
     */
    private static float[][] scorePairs(ServedModel served, FeatureGatherer gatherer, int[] users, int[] items,
            List<ResolvedTask> tasks, boolean modelItems) {
        int n = items.length;
        float[][] scores = new float[tasks.size()][];
        List<Integer> rest = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            float[] perItem = modelItems ? served.itemAttributeScores(tasks.get(t)) : null;
            if (perItem == null) {
                rest.add(t);
                continue;
            }
            int width = perItem.length / served.loaded().items().size();
            scores[t] = new float[n * width];
            for (int i = 0; i < n; i++) {
                System.arraycopy(perItem, items[i] * width, scores[t], i * width, width);
            }
        }
        if (!rest.isEmpty()) {
            int[] taskIndex = rest.stream().mapToInt(t -> tasks.get(t).index()).toArray();
            float[][] scored = TaskScorer.scorePairs(served.model(), gatherer, users, items, taskIndex, served.manager());
            for (int j = 0; j < rest.size(); j++) {
                scores[rest.get(j)] = scored[j];
            }
        }
        return scores;
    }

    /** @return positions in {@code candidates} of the k best by the formula, best first, skipping seen items */
    static int[] top(Formula formula, float[][] scores, int[] candidates, int[] seenItems, int k) {
        double[] fused = new double[candidates.length];
        boolean[] seen = new boolean[candidates.length];
        double[] values = new double[scores.length];
        for (int c = 0; c < candidates.length; c++) {
            if (seenItems.length > 0 && Arrays.binarySearch(seenItems, candidates[c]) >= 0) {
                seen[c] = true;
                continue;
            }
            for (int t = 0; t < values.length; t++) {
                values[t] = scores[t][c];
            }
            fused[c] = formula.evaluate(values); // NaN ranks below every number, -infinity included (better)
        }
        // a bounded min-heap of positions, ordered by fused score then by position
        int size = 0;
        int[] heap = new int[Math.min(k, candidates.length)];
        for (int c = 0; c < candidates.length; c++) {
            if (seen[c]) {
                continue;
            }
            if (size < heap.length) {
                heap[size] = c;
                siftUp(heap, size++, fused);
            } else if (better(c, heap[0], fused)) {
                heap[0] = c;
                siftDown(heap, size, fused);
            }
        }
        int[] out = new int[size];
        for (int i = size - 1; i >= 0; i--) {
            out[i] = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size, fused);
        }
        return out;
    }

    private static boolean better(int a, int b, double[] fused) {
        double x = fused[a];
        double y = fused[b];
        if (Double.isNaN(x) || Double.isNaN(y)) {
            // a number before NaN; two NaNs by position
            return Double.isNaN(x) == Double.isNaN(y) ? a < b : Double.isNaN(y);
        }
        return x > y || (x == y && a < b);
    }

    private static void siftUp(int[] heap, int i, double[] fused) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(heap[parent], heap[i], fused)) {
                return;
            }
            int t = heap[parent];
            heap[parent] = heap[i];
            heap[i] = t;
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, double[] fused) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int worst = i;
            if (l < size && better(heap[worst], heap[l], fused)) {
                worst = l;
            }
            if (r < size && better(heap[worst], heap[r], fused)) {
                worst = r;
            }
            if (worst == i) {
                return;
            }
            int t = heap[worst];
            heap[worst] = heap[i];
            heap[i] = t;
            i = worst;
        }
    }

    private Formula formula(ServedModel served, String text) {
        Formula formula;
        if (text != null) {
            try {
                formula = Formula.parse(text);
            } catch (FormulaException e) {
                throw ApiException.badRequest("formula", e.getMessage());
            }
        } else if (configFormula != null) {
            formula = configFormula;
        } else if (served.defaultFormula() != null) {
            formula = served.defaultFormula();
        } else {
            throw ApiException.badRequest("formula", "missing: the request gives none, and neither serve.yaml nor the model's"
                    + " serving.formula sets a default; tasks: " + served.taskNames());
        }
        try {
            served.check(formula);
        } catch (FormulaException e) {
            throw ApiException.badRequest("formula", e.getMessage());
        }
        return formula;
    }


    /**
     * Reads {@code context}: per-interaction features of the request's moment (the device in use,
     * the hour), by the model's feature names; absent, the user's current values.
     */
    private static Map<String, Float> context(ServedModel served, JsonNode body, String path) {
        Map<String, Object> values = JsonFields.features(body, "context", path);
        if (values == null) {
            return Map.of();
        }
        try {
            return EntityRow.context(served.model().features(), values);
        } catch (InvalidFeatureException e) {
            throw ApiException.badRequest(JsonFields.join(path, "context." + e.feature()), e.reason());
        }
    }

    private static Resolved user(ServedModel served, JsonNode body, String path) {
        return resolve(served, Entity.USER, body, path);
    }

    /** A pair's item: a known one, or a new one built from {@code itemFeatures}. */
    private static Resolved pairItem(ServedModel served, JsonNode pair, String path) {
        return resolve(served, Entity.ITEM, pair, path);
    }

    /**
     * Resolves {@code user} / {@code item} and {@code userFeatures} / {@code itemFeatures} of a
     * request object: a known id, or a new entity's row built from its features (with or without
     * an id the model does not know).
     */
    private static Resolved resolve(ServedModel served, Entity entity, JsonNode body, String path) {
        String kind = entity == Entity.USER ? "user" : "item";
        String featuresField = kind + "Features";
        EntityTable table = entity == Entity.USER ? served.loaded().users() : served.loaded().items();
        String id = JsonFields.string(body, kind, path);
        Map<String, Object> features = JsonFields.features(body, featuresField, path);
        if (id != null) {
            int index = table.indexOf(id);
            if (index >= 0) {
                if (features != null) {
                    // the id takes precedence, and the features are not read; a bad value is still the client's mistake to hear of
                    row(served, entity, id, features, featuresField, path, " (" + kind + " '" + id + "' is known: the model reads its"
                            + " own features, and these are only checked)");
                }
                return new Resolved(id, index, null);
            }
            if (features == null) {
                throw ApiException.notFound(JsonFields.join(path, kind), "unknown " + kind + " '" + id + "'; the model knows "
                        + table.size() + " " + kind + "s; give " + featuresField + " to score a new " + kind);
            }
        } else if (features == null) {
            throw ApiException.badRequest(JsonFields.join(path, kind), "missing: give " + kind + " (a known id) or " + featuresField
                    + " (a new " + kind + ")");
        }
        return new Resolved(id, -1, row(served, entity, id == null ? "new" : id, features, featuresField, path, ""));
    }

    /**
     * @param note added to the reason of a refusal
     * @return the row of a new entity with {@code features}, or a 400 naming the feature that does not fit
     */
    private static EntityRow row(ServedModel served, Entity entity, String id, Map<String, Object> features, String featuresField,
            String path, String note) {
        try {
            return EntityRow.fromValues(entity, id, served.model().features(), features);
        } catch (InvalidFeatureException e) {
            throw ApiException.badRequest(JsonFields.join(path, featuresField + "." + e.feature()), e.reason() + note);
        }
    }

    private static int item(ServedModel served, String id, String path) {
        if (id == null) {
            throw ApiException.badRequest(path, "missing: give an item id");
        }
        int index = served.loaded().items().indexOf(id);
        if (index < 0) {
            throw ApiException.notFound(path, "unknown item '" + id + "'; the model knows " + served.loaded().items().size() + " items");
        }
        return index;
    }

    private static List<ResolvedTask> tasks(ServedModel served, List<String> names, String path) {
        if (names == null) {
            return served.model().tasks();
        }
        if (names.isEmpty()) {
            throw ApiException.badRequest(path, "is empty; leave it out for every task");
        }
        List<ResolvedTask> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            ResolvedTask t = served.model().task(names.get(i));
            if (t == null) {
                throw ApiException.badRequest(path + "[" + i + "]", "unknown task '" + names.get(i) + "'; the model has " + served.taskNames());
            }
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    private static void putScore(ObjectNode node, String name, float[] scores, int row, int width) {
        if (width == 1) {
            node.put(name, scores[row]);
        } else {
            ArrayNode a = node.putArray(name);
            for (int j = 0; j < width; j++) {
                a.add(scores[row * width + j]);
            }
        }
    }

    /**
     * What a client can send for users and items the model does not know: per entity, the side
     * features {@code userFeatures} / {@code itemFeatures} take (not the identifier, not the
     * histories learnt from interactions), each with its kind, its values (categories, or the names
     * of a multi-hot feature's columns) and its scaling (a numeric feature given raw); and the tasks.
     */
    ObjectNode schema() {
        try (ModelHolder.Lease<ServedModel> lease = holder.acquire()) {
            ServedModel served = lease.model();
            ObjectNode out = json.createObjectNode();
            out.put("version", lease.version().sequence());
            out.put("name", served.loaded().manifest().name);
            out.putPOJO("tasks", served.taskNames());
            out.put("defaultFormula", defaultFormula(served));
            ArrayNode users = out.putArray("userFeatures");
            ArrayNode items = out.putArray("itemFeatures");
            for (FeatureSpec f : served.model().features()) {
                if (f.id() || f.fromInteractions()) {
                    continue;
                }
                ObjectNode node = (f.entity() == Entity.USER ? users : items).addObject();
                node.put("name", f.name());
                switch (f.kind()) {
                    case CATEGORICAL -> {
                        node.put("kind", "categorical");
                        if (f.labels().isEmpty()) {
                            node.put("codes", f.size() - 1);
                        } else {
                            node.putPOJO("values", f.labels());
                        }
                    }
                    case NUMERIC -> {
                        node.put("kind", "numeric");
                        if (f.scale() != null) {
                            node.putObject("scale").put("log1p", f.scale().log1p()).put("center", f.scale().center())
                                    .put("divisor", f.scale().divisor());
                        }
                    }
                    case MULTI_HOT -> {
                        node.put("kind", "multi_hot");
                        node.put("size", f.size());
                        if (!f.labels().isEmpty()) {
                            node.putPOJO("values", f.labels());
                        }
                    }
                }
            }
            return out;
        }
    }

    /** @return the formula {@code /v1/recommend} ranks by when a request gives none: serve.yaml's, else the model's; or null */
    String defaultFormula(ServedModel served) {
        return config.formula != null ? config.formula : served.defaultFormula() == null ? null : served.defaultFormula().text();
    }

    ObjectNode modelInfo(ModelHolder.Version<ServedModel> version) {
        ObjectNode m = json.createObjectNode();
        m.put("version", version.sequence());
        m.put("name", version.model().loaded().manifest().name);
        m.put("createdAt", version.model().loaded().manifest().createdAt);
        return m;
    }
}
