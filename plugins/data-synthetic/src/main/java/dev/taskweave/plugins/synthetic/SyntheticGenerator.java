package dev.taskweave.plugins.synthetic;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Histories;
import dev.taskweave.api.data.SparseRows;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/** Draws a {@link PlantedModel}, then interactions, ratings, splits and ranking lists from it. */
final class SyntheticGenerator {
    /** The split holding every row of the cold users. */
    static final String TEST_COLD_USER = "test_cold_user";
    /** The split holding warm held-out rows. */
    static final String TEST = "test";
    /** The attribute-only split on which the held-out users' and items' attributes are evaluated. */
    static final String ATTRIBUTE_TEST = "attribute_test";
    static final String USER_SEGMENT = "user_segment";
    static final String ITEM_CATEGORY = "item_category";
    static final String ITEM_TAGS = "item_tags";
    /** Feature (with {@code history: true}): the items a user interacted with in training. */
    static final String USER_HISTORY = "user_history";
    /** Feature (with {@code history: true}): the users who interacted with an item in training. */
    static final String ITEM_HISTORY = "item_history";
    /** Feature (with {@code context}): the device of each interaction; the users table holds the latest training one's. */
    static final String USER_DEVICE = "user_device";
    /** The raw value of device {@code d} (0-based) is {@code DEVICE_PREFIX + d}; its code is {@code d + 1}. */
    static final String DEVICE_PREFIX = "device";
    /** Standard deviation of a user's log-activity around log(meanInteractionsPerUser). */
    static final double ACTIVITY_SIGMA = 0.5;
    /**
     * Rating = RATING_BASE + user bias + item bias + AFFINITY_WEIGHT * affinity (+ the device's offset, with
     * {@code context}) + noise, rounded and clipped.
     */
    static final double RATING_BASE = 3.0;
    static final double AFFINITY_WEIGHT = 0.5;
    /** The label of the planted conflicting task ({@code conflict}). */
    static final String DISLIKE = "dislike";
    /**
     * The dislike logit is {@code strength * (DISLIKE_CENTER - signal)}, where {@code signal = b_u + b_i +
     * AFFINITY_WEIGHT * a(u, i)} is the rating above {@code RATING_BASE} before noise: 0.5 is where the
     * rounded rating turns from 3 to 4 (a like), so a row is as likely disliked as not there.
     */
    static final double DISLIKE_CENTER = 0.5;
    /** Negatives per ranking list (fewer only when users may observe more than items - 99 items). */
    static final int RANKING_NEGATIVES = 99;

    private static final int TRAIN_SPLIT = 0;
    private static final int VALID_SPLIT = 1;
    private static final int TEST_SPLIT = 2;
    private static final int COLD_SPLIT = 3;

    private final SyntheticConfig config;
    private final long seed;

    SyntheticGenerator(SyntheticConfig config, long seed) {
        this.config = requireNonNull(config, "config is null");
        this.seed = seed;
    }

    /**
     * What was generated: the dataset, the hidden model behind it, the cold users and the users and
     * items whose attributes are held out (flags by entity index).
     */
    record Generated(Dataset dataset, PlantedModel model, boolean[] coldUsers, boolean[] heldUsers, boolean[] heldItems) {}

    Generated generate() {
        config.validate();
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom structureRandom = root.split();
        SplittableRandom interactionRandom = root.split();
        SplittableRandom splitRandom = root.split();
        SplittableRandom rankingRandom = root.split();
        // split last, so that the streams above (and the data they draw) do not depend on it
        SplittableRandom holdoutRandom = root.split();
        // the optional labels draw from streams split after every other, so enabling them changes nothing else
        SplittableRandom scoreRandom = root.split();
        SplittableRandom conflictRandom = root.split();
        SplittableRandom opposedRandom = root.split();
        SplittableRandom contextRandom = root.split();

        PlantedModel model = PlantedModel.draw(config, structureRandom);
        boolean[] cold = coldUsers(structureRandom);
        // each device's offset on the rating signal; null without a context
        double[] deviceOffsets = config.context() == null ? null : config.context().offsets();

        int users = config.users();
        int items = config.items();
        int maxPerUser = items / 2;
        IntBuffer rowUsers = new IntBuffer();
        IntBuffer rowItems = new IntBuffer();
        FloatBuffer ratings = new FloatBuffer();
        IntBuffer devices = new IntBuffer();
        double[] keys = new double[items];
        double[] sorted = new double[items];
        for (int u = 0; u < users; u++) {
            double logMean = Math.log(config.meanInteractionsPerUser()) - ACTIVITY_SIGMA * ACTIVITY_SIGMA / 2;
            long drawn = Math.round(Math.exp(logMean + ACTIVITY_SIGMA * model.userActivity(u)));
            int count = (int) Math.max(1, Math.min(maxPerUser, drawn));
            // Gumbel top-k: the count largest of log(weight) + Gumbel noise are a sample without
            // replacement with probability proportional to weight = exp(affinity + popularity)
            for (int i = 0; i < items; i++) {
                keys[i] = model.affinity(u, i) + model.itemPopularity(i) + gumbel(interactionRandom);
            }
            // the count-th largest key, by selection: sorting every user's keys was two thirds of
            // generating 50,000 x 20,000
            System.arraycopy(keys, 0, sorted, 0, items);
            double threshold = select(sorted, items - count);
            int taken = 0;
            for (int i = 0; i < items && taken < count; i++) {
                if (keys[i] >= threshold) {
                    taken++;
                    // the device comes from a stream of its own, so it moves no other draw; without a
                    // context the shift is 0.0, and adding it leaves the sum bit for bit as it was
                    int device = deviceOffsets == null ? -1 : contextRandom.nextInt(deviceOffsets.length);
                    double shift = device < 0 ? 0.0 : deviceOffsets[device];
                    double raw = RATING_BASE + model.userBias(u) + model.itemBias(i)
                            + AFFINITY_WEIGHT * model.affinity(u, i) + shift
                            + config.ratingNoise() * PlantedModel.gaussian(interactionRandom);
                    devices.add(device);
                    rowUsers.add(u);
                    rowItems.add(i);
                    ratings.add((float) Math.max(1, Math.min(5, Math.round(raw))));
                }
            }
        }

        int[] allUsers = rowUsers.toArray();
        int[] allItems = rowItems.toArray();
        float[] allRatings = ratings.toArray();
        int[] allDevices = devices.toArray();
        double[] shifts = new double[allDevices.length];
        for (int r = 0; r < shifts.length; r++) {
            shifts[r] = allDevices[r] < 0 ? 0.0 : deviceOffsets[allDevices[r]];
        }
        int[] split = assignSplits(allUsers, allItems, cold, splitRandom);
        Map<String, float[]> extraLabels = extraLabels(model, allUsers, allItems, shifts, scoreRandom, conflictRandom,
                opposedRandom);
        Map<String, float[]> rowFeatures = new LinkedHashMap<>();
        if (deviceOffsets != null) {
            float[] codes = new float[allDevices.length];
            for (int r = 0; r < codes.length; r++) {
                codes[r] = allDevices[r] + 1;
            }
            rowFeatures.put(USER_DEVICE, codes);
        }

        int[] userCodes = trainCodes(allUsers, split, users);
        int[] itemCodes = trainCodes(allItems, split, items);
        int knownUsers = Arrays.stream(userCodes).max().orElse(0);
        int knownItems = Arrays.stream(itemCodes).max().orElse(0);

        List<FeatureSpec> features = new ArrayList<>(List.of(
                FeatureSpec.identifier("user_id", Entity.USER, knownUsers + 1),
                FeatureSpec.categorical("user_segment", Entity.USER, labels("segment-", config.segments())),
                FeatureSpec.numeric("user_activity", Entity.USER),
                FeatureSpec.identifier("item_id", Entity.ITEM, knownItems + 1),
                FeatureSpec.categorical("item_category", Entity.ITEM, labels("category-", config.categories())),
                FeatureSpec.multiHot("item_tags", Entity.ITEM, config.tags())));
        boolean[] heldUsers = choose(users, config.attributeHoldoutUsers(), holdoutRandom.split());
        boolean[] heldItems = choose(items, config.attributeHoldoutItems(), holdoutRandom.split());
        // drawn after the holdout, from the entities it left, so the holdout does not depend on it
        boolean[] validUsers = chooseOutside(heldUsers, config.attributeValidUsers(), holdoutRandom.split());
        boolean[] validItems = chooseOutside(heldItems, config.attributeValidItems(), holdoutRandom.split());
        EntityTable.Builder userBuilder = userTable(model, userCodes, either(heldUsers, validUsers));
        EntityTable.Builder itemBuilder = itemTable(model, itemCodes, either(heldItems, validItems));
        if (config.history()) {
            Interactions trainRows = select(allUsers, allItems, allRatings, Map.of(), Map.of(), split, TRAIN_SPLIT);
            // stored sparsely: memory in proportion to the training interactions, not users x items
            SparseRows byUser = Histories.sparse(trainRows, Entity.USER, users, items, null, Histories.Scale.MEAN);
            SparseRows byItem = Histories.sparse(trainRows, Entity.ITEM, users, items, null, Histories.Scale.MEAN);
            // declared when no training pair repeats: a row's history without its own entry is then rescaled exactly
            Histories.Scale scale = Histories.declared(byUser, trainRows, Histories.Scale.MEAN);
            features.add(FeatureSpec.history(USER_HISTORY, Entity.USER, items, scale));
            features.add(FeatureSpec.history(ITEM_HISTORY, Entity.ITEM, users, scale));
            userBuilder.sparse(USER_HISTORY, byUser);
            itemBuilder.sparse(ITEM_HISTORY, byItem);
        }
        if (deviceOffsets != null) {
            features.add(new FeatureSpec(USER_DEVICE, Entity.USER, FeatureKind.CATEGORICAL, deviceOffsets.length + 1, false,
                    deviceLabels(deviceOffsets.length), false, null, true));
            userBuilder.categorical(USER_DEVICE, latestTrainingCodes(allUsers, rowFeatures.get(USER_DEVICE), split, users));
        }
        EntityTable userTable = userBuilder.build();
        EntityTable itemTable = itemBuilder.build();
        Map<String, EntityAttribute> attributes = attributes(model);
        int[] heldUserIndices = indices(heldUsers);
        int[] heldItemIndices = indices(heldItems);
        Map<String, int[]> heldOut = attributeEntities(heldUserIndices, heldItemIndices);
        Map<String, Map<String, int[]>> attributeEvaluation = new LinkedHashMap<>();
        if (!heldOut.isEmpty()) {
            attributeEvaluation.put(ATTRIBUTE_TEST, heldOut);
        }
        Map<String, int[]> validating = attributeEntities(indices(validUsers), indices(validItems));
        if (!validating.isEmpty()) {
            attributeEvaluation.put(Dataset.VALID, validating);
        }

        Map<String, Interactions> splits = new LinkedHashMap<>();
        splits.put(Dataset.TRAIN, select(allUsers, allItems, allRatings, extraLabels, rowFeatures, split, TRAIN_SPLIT));
        splits.put(Dataset.VALID, select(allUsers, allItems, allRatings, extraLabels, rowFeatures, split, VALID_SPLIT));
        splits.put(TEST, select(allUsers, allItems, allRatings, extraLabels, rowFeatures, split, TEST_SPLIT));
        splits.put(TEST_COLD_USER, select(allUsers, allItems, allRatings, extraLabels, rowFeatures, split, COLD_SPLIT));

        int maxObserved = maxRowsPerUser(allUsers, users);
        int negatives = Math.min(RANKING_NEGATIVES, items - maxObserved);
        RankingCandidates ranking = rankings(splits.get(TEST), allUsers, allItems, negatives, rankingRandom);

        Map<String, String> description = description(splits, ranking, negatives, knownUsers, knownItems, allRatings);
        description.put("attributes", String.join(",", attributes.keySet()));
        java.util.List<String> slices = config.sliceWarnings();
        for (int w = 0; w < slices.size(); w++) {
            description.put(Dataset.WARNING + "slices." + w, slices.get(w));
        }
        String tagWarning = tagWarning(model, items, config.tags(), config.latentDim());
        if (tagWarning != null) {
            description.put(Dataset.WARNING + "tags", tagWarning);
        }
        description.put("attributeHoldout", Double.toString(config.attributeHoldout()));
        description.put("attributeHoldout.users", Integer.toString(heldUserIndices.length));
        description.put("attributeHoldout.items", Integer.toString(heldItemIndices.length));
        description.put("attributeValid", Double.toString(config.attributeValid()));
        if (!validating.isEmpty()) {
            description.put("attributeValid.users", Integer.toString(validating.getOrDefault(USER_SEGMENT, new int[0]).length));
            description.put("attributeValid.items", Integer.toString(validating.getOrDefault(ITEM_TAGS, new int[0]).length));
        }
        String name = String.format(Locale.ROOT, "synthetic(users=%d, items=%d, seed=%d)", users, items, seed);
        Dataset dataset = new Dataset(name, features, userTable, itemTable, splits, Map.of(TEST, ranking), description,
                attributes, attributeEvaluation);
        return new Generated(dataset, model, cold, heldUsers, heldItems);
    }

    /**
     * @return a warning naming the tags no item has, or every item has (a label of item_tags with one
     *     class only: nothing to learn, and its AUC undefined), or null when each tag splits the items.
     *     An item has a tag when its latent vector's cosine with the tag's direction exceeds
     *     {@link PlantedModel#TAG_THRESHOLD}; random cosines shrink as 1/sqrt(latentDim), so a large
     *     latentDim leaves most tags on no item, and a latentDim of 1 or 2 puts some on nearly all
     */
    static String tagWarning(PlantedModel model, int items, int tags, int latentDim) {
        List<String> none = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int t = 0; t < tags; t++) {
            int count = 0;
            for (int i = 0; i < items; i++) {
                count += model.itemHasTag(i, t) ? 1 : 0;
            }
            if (count == 0) {
                none.add(Integer.toString(t));
            } else if (count == items) {
                all.add(Integer.toString(t));
            }
        }
        if (none.isEmpty() && all.isEmpty()) {
            return null;
        }
        return (none.isEmpty() ? "" : none.size() + " of " + tags + " item_tags flags are set on no item (tags " + String.join(", ", none) + ")")
                + (none.isEmpty() || all.isEmpty() ? "" : "; ")
                + (all.isEmpty() ? "" : all.size() + " of " + tags + " are set on every item (tags " + String.join(", ", all) + ")")
                + ": an item has a tag when its latent vector's cosine with the tag's direction exceeds "
                + PlantedModel.TAG_THRESHOLD + ", and with latentDim " + latentDim
                + " that is " + (none.isEmpty() ? "common" : "rare") + "; the default latentDim 8 gives about 2.5 tags per item";
    }

    /**
     * @return the value at index {@code k} of {@code values} sorted ascending (what {@code
     *     Arrays.sort(values)} then {@code values[k]} gives, equal under {@code ==}: the sign of a
     *     zero may differ), in time linear in their number on average; {@code values} is
     *     reordered. The values must not be NaN.
     */
    static double select(double[] values, int k) {
        if (k < 0 || k >= values.length) {
            throw new IndexOutOfBoundsException("index " + k + " of " + values.length + " values");
        }
        int lo = 0;
        int hi = values.length - 1;
        while (hi - lo > 16) {
            // the median of the first, middle and last values as the pivot, moved to the middle
            int mid = (lo + hi) >>> 1;
            if (values[mid] < values[lo]) {
                swap(values, lo, mid);
            }
            if (values[hi] < values[lo]) {
                swap(values, lo, hi);
            }
            if (values[hi] < values[mid]) {
                swap(values, mid, hi);
            }
            double pivot = values[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(values, i++, j--);
                }
            }
            // values[lo..j] <= pivot <= values[i..hi], and every value between j and i equals it
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return values[k];
            }
        }
        Arrays.sort(values, lo, hi + 1);
        return values[k];
    }

    private static void swap(double[] values, int a, int b) {
        double t = values[a];
        values[a] = values[b];
        values[b] = t;
    }

    /** A standard Gumbel draw. */
    private static double gumbel(SplittableRandom random) {
        double uniform;
        do {
            uniform = random.nextDouble();
        } while (uniform == 0);
        return -Math.log(-Math.log(uniform));
    }

    private boolean[] coldUsers(SplittableRandom random) {
        return choose(config.users(), config.coldUsers(), random);
    }

    /** @return flags marking {@code count} of {@code entities} entities, chosen by a seeded shuffle */
    private static boolean[] choose(int entities, int count, SplittableRandom random) {
        int[] order = new int[entities];
        for (int e = 0; e < entities; e++) {
            order[e] = e;
        }
        for (int k = entities - 1; k > 0; k--) {
            int j = random.nextInt(k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        boolean[] chosen = new boolean[entities];
        for (int k = 0; k < count; k++) {
            chosen[order[k]] = true;
        }
        return chosen;
    }

    /**
     * @return per attribute, the entities whose attribute a split lists: {@code user_segment} for
     *     the users, {@code item_category} and {@code item_tags} for the items; a side with none is
     *     left out
     */
    private static Map<String, int[]> attributeEntities(int[] users, int[] items) {
        Map<String, int[]> entities = new LinkedHashMap<>();
        if (users.length > 0) {
            entities.put(USER_SEGMENT, users);
        }
        if (items.length > 0) {
            entities.put(ITEM_CATEGORY, items);
            entities.put(ITEM_TAGS, items.clone());
        }
        return entities;
    }

    /** @return {@code count} entities chosen at random among those not {@code taken} */
    private static boolean[] chooseOutside(boolean[] taken, int count, SplittableRandom random) {
        int[] free = indices(not(taken));
        boolean[] picked = choose(free.length, Math.min(count, free.length), random);
        boolean[] chosen = new boolean[taken.length];
        for (int k = 0; k < free.length; k++) {
            chosen[free[k]] = picked[k];
        }
        return chosen;
    }

    private static boolean[] not(boolean[] flags) {
        boolean[] result = new boolean[flags.length];
        for (int e = 0; e < flags.length; e++) {
            result[e] = !flags[e];
        }
        return result;
    }

    private static boolean[] either(boolean[] a, boolean[] b) {
        boolean[] result = new boolean[a.length];
        for (int e = 0; e < a.length; e++) {
            result[e] = a[e] || b[e];
        }
        return result;
    }

    /** @return the indices of the flagged entities, ascending */
    private static int[] indices(boolean[] flags) {
        IntBuffer result = new IntBuffer();
        for (int e = 0; e < flags.length; e++) {
            if (flags[e]) {
                result.add(e);
            }
        }
        return result.toArray();
    }

    /** The planted segment, category and tags of every entity, all known. */
    private Map<String, EntityAttribute> attributes(PlantedModel model) {
        int users = config.users();
        int items = config.items();
        int tags = config.tags();
        float[] segment = new float[users];
        for (int u = 0; u < users; u++) {
            segment[u] = model.userSegment(u);
        }
        float[] category = new float[items];
        float[] tagFlags = new float[items * tags];
        for (int i = 0; i < items; i++) {
            category[i] = model.itemCategory(i);
            for (int t = 0; t < tags; t++) {
                tagFlags[i * tags + t] = model.itemHasTag(i, t) ? 1f : 0f;
            }
        }
        Map<String, EntityAttribute> attributes = new LinkedHashMap<>();
        attributes.put(USER_SEGMENT, new EntityAttribute(USER_SEGMENT, Entity.USER, EntityAttribute.Kind.CLASS,
                config.segments(), segment, allKnown(users)));
        attributes.put(ITEM_CATEGORY, new EntityAttribute(ITEM_CATEGORY, Entity.ITEM, EntityAttribute.Kind.CLASS,
                config.categories(), category, allKnown(items)));
        attributes.put(ITEM_TAGS, new EntityAttribute(ITEM_TAGS, Entity.ITEM, EntityAttribute.Kind.MULTI_LABEL,
                tags, tagFlags, allKnown(items)));
        return attributes;
    }

    private static boolean[] allKnown(int entities) {
        boolean[] known = new boolean[entities];
        Arrays.fill(known, true);
        return known;
    }

    /**
     * Cold users' rows go to the cold split; warm rows go to valid, test or train by fraction; then
     * a valid or test row whose user or item has no training row yet is moved to train.
     */
    private int[] assignSplits(int[] users, int[] items, boolean[] cold, SplittableRandom random) {
        int rows = users.length;
        int[] split = new int[rows];
        int[] userTrain = new int[config.users()];
        int[] itemTrain = new int[config.items()];
        for (int r = 0; r < rows; r++) {
            if (cold[users[r]]) {
                split[r] = COLD_SPLIT;
                continue;
            }
            double x = random.nextDouble();
            split[r] = x < config.validFraction() ? VALID_SPLIT
                    : x < config.validFraction() + config.testFraction() ? TEST_SPLIT : TRAIN_SPLIT;
            if (split[r] == TRAIN_SPLIT) {
                userTrain[users[r]]++;
                itemTrain[items[r]]++;
            }
        }
        for (int pass : new int[] {VALID_SPLIT, TEST_SPLIT}) {
            for (int r = 0; r < rows; r++) {
                if (split[r] == pass && (userTrain[users[r]] == 0 || itemTrain[items[r]] == 0)) {
                    split[r] = TRAIN_SPLIT;
                    userTrain[users[r]]++;
                    itemTrain[items[r]]++;
                }
            }
        }
        return split;
    }

    /** Entity index order codes 1.. for entities with a training row; 0 for the others. */
    private static int[] trainCodes(int[] entityPerRow, int[] split, int entities) {
        boolean[] seen = new boolean[entities];
        for (int r = 0; r < entityPerRow.length; r++) {
            if (split[r] == TRAIN_SPLIT) {
                seen[entityPerRow[r]] = true;
            }
        }
        int[] codes = new int[entities];
        int next = 1;
        for (int e = 0; e < entities; e++) {
            codes[e] = seen[e] ? next++ : 0;
        }
        return codes;
    }

    /** The user table; held-out users' {@code user_segment} is 0 (unknown) so the label does not leak. */
    private EntityTable.Builder userTable(PlantedModel model, int[] userCodes, boolean[] held) {
        int users = config.users();
        List<String> ids = new ArrayList<>(users);
        int[] segment = new int[users];
        float[] activity = new float[users];
        for (int u = 0; u < users; u++) {
            ids.add("u" + u);
            segment[u] = held[u] ? 0 : model.userSegment(u) + 1;
            activity[u] = (float) model.userActivity(u);
        }
        return EntityTable.builder(Entity.USER, ids)
                .categorical("user_id", userCodes)
                .categorical("user_segment", segment)
                .dense("user_activity", 1, activity);
    }

    /** The item table; held-out items have category 0 and no tags, so the labels do not leak. */
    private EntityTable.Builder itemTable(PlantedModel model, int[] itemCodes, boolean[] held) {
        int items = config.items();
        int tags = config.tags();
        List<String> ids = new ArrayList<>(items);
        int[] category = new int[items];
        float[] tagFlags = new float[items * tags];
        for (int i = 0; i < items; i++) {
            ids.add("i" + i);
            category[i] = held[i] ? 0 : model.itemCategory(i) + 1;
            for (int t = 0; t < tags; t++) {
                tagFlags[i * tags + t] = !held[i] && model.itemHasTag(i, t) ? 1f : 0f;
            }
        }
        return EntityTable.builder(Entity.ITEM, ids)
                .categorical("item_id", itemCodes)
                .categorical("item_category", category)
                .dense("item_tags", tags, tagFlags);
    }

    private static Interactions select(int[] users, int[] items, float[] ratings, Map<String, float[]> extraLabels,
            Map<String, float[]> rowFeatures, int[] split, int which) {
        IntBuffer u = new IntBuffer();
        IntBuffer i = new IntBuffer();
        FloatBuffer rating = new FloatBuffer();
        FloatBuffer like = new FloatBuffer();
        Map<String, FloatBuffer> extra = new LinkedHashMap<>();
        extraLabels.keySet().forEach(name -> extra.put(name, new FloatBuffer()));
        Map<String, FloatBuffer> features = new LinkedHashMap<>();
        rowFeatures.keySet().forEach(name -> features.put(name, new FloatBuffer()));
        for (int r = 0; r < users.length; r++) {
            if (split[r] == which) {
                u.add(users[r]);
                i.add(items[r]);
                rating.add(ratings[r]);
                like.add(ratings[r] >= 4 ? 1f : 0f);
                for (Map.Entry<String, FloatBuffer> e : extra.entrySet()) {
                    e.getValue().add(extraLabels.get(e.getKey())[r]);
                }
                for (Map.Entry<String, FloatBuffer> e : features.entrySet()) {
                    e.getValue().add(rowFeatures.get(e.getKey())[r]);
                }
            }
        }
        Map<String, float[]> labels = new LinkedHashMap<>();
        labels.put("rating", rating.toArray());
        labels.put("like", like.toArray());
        extra.forEach((name, values) -> labels.put(name, values.toArray()));
        Map<String, float[]> featureColumns = new LinkedHashMap<>();
        features.forEach((name, values) -> featureColumns.put(name, values.toArray()));
        return new Interactions(u.toArray(), i.toArray(), labels, featureColumns);
    }

    /**
     * @return per user, the code of their latest training row: rows have no time, so the last one in
     *     generation order (the user's training row with the highest item index); 0 for a user
     *     without training rows
     */
    private static int[] latestTrainingCodes(int[] users, float[] codes, int[] split, int userCount) {
        int[] latest = new int[userCount];
        for (int r = 0; r < users.length; r++) {
            if (split[r] == TRAIN_SPLIT) {
                latest[users[r]] = (int) codes[r];
            }
        }
        return latest;
    }

    /** @return {@code device0 .. device(count - 1)}: the raw values of codes 1..count */
    private static List<String> deviceLabels(int count) {
        List<String> labels = new ArrayList<>(count);
        for (int d = 0; d < count; d++) {
            labels.add(DEVICE_PREFIX + d);
        }
        return labels;
    }

    /** @return the rating above {@code RATING_BASE} before noise: {@code b_u + b_i + AFFINITY_WEIGHT * a(u, i)} */
    static double signal(PlantedModel model, int user, int item) {
        return model.userBias(user) + model.itemBias(item) + AFFINITY_WEIGHT * model.affinity(user, item);
    }

    /**
     * The optional labels of every row: each configured score is {@code RATING_BASE + signal + noise *
     * N(0, 1)}, unrounded and unclipped; {@code dislike} is 1 with probability
     * {@code sigmoid(strength * (DISLIKE_CENTER - signal))}; the opposed pair is {@code RATING_BASE +
     * signal + sigma * eps} and {@code RATING_BASE + signal - sigma * eps} with one {@code eps ~ N(0, 1)} per row.
     * The row's signal is {@link #signal} plus its device's offset ({@code shifts}, all 0 without a context),
     * as in the rating.
     */
    private Map<String, float[]> extraLabels(PlantedModel model, int[] users, int[] items, double[] shifts,
            SplittableRandom scoreRandom, SplittableRandom conflictRandom, SplittableRandom opposedRandom) {
        Map<String, float[]> labels = new LinkedHashMap<>();
        int rows = users.length;
        for (Map.Entry<String, Double> e : config.scores().entrySet()) {
            // one stream per score, in declaration order, so adding a score leaves the others unchanged
            SplittableRandom random = scoreRandom.split();
            float[] values = new float[rows];
            for (int r = 0; r < rows; r++) {
                values[r] = (float) (RATING_BASE + (signal(model, users[r], items[r]) + shifts[r])
                        + e.getValue() * PlantedModel.gaussian(random));
            }
            labels.put(e.getKey(), values);
        }
        if (config.conflict() != null) {
            double strength = config.conflict().strength();
            float[] dislike = new float[rows];
            for (int r = 0; r < rows; r++) {
                double p = 1 / (1 + Math.exp(-strength * (DISLIKE_CENTER - (signal(model, users[r], items[r]) + shifts[r]))));
                dislike[r] = conflictRandom.nextDouble() < p ? 1f : 0f;
            }
            labels.put(DISLIKE, dislike);
        }
        OpposedScoresConfig opposed = config.opposedScores();
        if (opposed != null) {
            float[] plus = new float[rows];
            float[] minus = new float[rows];
            for (int r = 0; r < rows; r++) {
                double mean = RATING_BASE + (signal(model, users[r], items[r]) + shifts[r]);
                double noise = opposed.sigma() * PlantedModel.gaussian(opposedRandom);
                plus[r] = (float) (mean + noise);
                minus[r] = (float) (mean - noise);
            }
            labels.put(opposed.plusLabel(), plus);
            labels.put(opposed.minusLabel(), minus);
        }
        return labels;
    }

    private static int maxRowsPerUser(int[] users, int userCount) {
        int[] count = new int[userCount];
        int max = 0;
        for (int u : users) {
            max = Math.max(max, ++count[u]);
        }
        return max;
    }

    /**
     * One list per user with a test row, in user index order: a random test item of the user and
     * {@code negatives} distinct items the user has no row for in any split.
     */
    private RankingCandidates rankings(Interactions test, int[] allUsers, int[] allItems, int negatives,
            SplittableRandom random) {
        int users = config.users();
        int items = config.items();
        List<List<Integer>> testItems = new ArrayList<>(users);
        for (int u = 0; u < users; u++) {
            testItems.add(new ArrayList<>());
        }
        for (int r = 0; r < test.size(); r++) {
            testItems.get(test.users()[r]).add(test.items()[r]);
        }
        // each user's items, grouped by user (a users x items table of flags took 1 GB at 50,000 x 20,000)
        int[] starts = new int[users + 1];
        for (int user : allUsers) {
            starts[user + 1]++;
        }
        for (int u = 0; u < users; u++) {
            starts[u + 1] += starts[u];
        }
        int[] itemsOf = new int[allUsers.length];
        int[] next = Arrays.copyOf(starts, users);
        for (int r = 0; r < allUsers.length; r++) {
            itemsOf[next[allUsers[r]]++] = allItems[r];
        }
        boolean[] observed = new boolean[items];
        IntBuffer listUsers = new IntBuffer();
        IntBuffer positives = new IntBuffer();
        List<int[]> negativeLists = new ArrayList<>();
        int[] candidates = new int[items];
        for (int u = 0; u < users; u++) {
            List<Integer> own = testItems.get(u);
            if (own.isEmpty()) {
                continue;
            }
            listUsers.add(u);
            positives.add(own.get(random.nextInt(own.size())));
            for (int k = starts[u]; k < starts[u + 1]; k++) {
                observed[itemsOf[k]] = true;
            }
            int available = 0;
            for (int i = 0; i < items; i++) {
                if (!observed[i]) {
                    candidates[available++] = i;
                }
            }
            for (int k = starts[u]; k < starts[u + 1]; k++) {
                observed[itemsOf[k]] = false;
            }
            int[] chosen = new int[negatives];
            for (int k = 0; k < negatives; k++) {
                int j = k + random.nextInt(available - k);
                int t = candidates[k];
                candidates[k] = candidates[j];
                candidates[j] = t;
                chosen[k] = candidates[k];
            }
            negativeLists.add(chosen);
        }
        return new RankingCandidates(listUsers.toArray(), positives.toArray(), negativeLists.toArray(new int[0][]));
    }

    private Map<String, String> description(Map<String, Interactions> splits, RankingCandidates ranking,
            int negatives, int knownUsers, int knownItems, float[] ratings) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("source", "synthetic");
        d.put("seed", Long.toString(seed));
        d.put("users", Integer.toString(config.users()));
        d.put("items", Integer.toString(config.items()));
        d.put("latentDim", Integer.toString(config.latentDim()));
        d.put("segments", Integer.toString(config.segments()));
        d.put("categories", Integer.toString(config.categories()));
        d.put("tags", Integer.toString(config.tags()));
        d.put("meanInteractionsPerUser", Double.toString(config.meanInteractionsPerUser()));
        d.put("ratingNoise", Double.toString(config.ratingNoise()));
        d.put("validFraction", Double.toString(config.validFraction()));
        d.put("testFraction", Double.toString(config.testFraction()));
        d.put("history", Boolean.toString(config.history()));
        d.put("coldUserFraction", Double.toString(config.coldUserFraction()));
        d.put("coldUsers", Integer.toString(config.coldUsers()));
        config.scores().forEach((name, noise) -> d.put("scores." + name + ".noise", Double.toString(noise)));
        if (config.conflict() != null) {
            d.put("conflict.strength", Double.toString(config.conflict().strength()));
            d.put("planted.dislikeCenter", Double.toString(DISLIKE_CENTER));
        }
        if (config.opposedScores() != null) {
            d.put("opposedScores.name", config.opposedScores().name());
            d.put("opposedScores.sigma", Double.toString(config.opposedScores().sigma()));
        }
        if (config.context() != null) {
            d.put("context.devices", Integer.toString(config.context().devices()));
            d.put("context.effect", Double.toString(config.context().effect()));
            d.put("planted.deviceOffsets", Arrays.stream(config.context().offsets())
                    .mapToObj(Double::toString).collect(Collectors.joining(",")));
        }
        d.put("planted.latentNoise", Double.toString(PlantedModel.LATENT_NOISE));
        d.put("planted.tagThreshold", Double.toString(PlantedModel.TAG_THRESHOLD));
        d.put("planted.userBiasSd", Double.toString(PlantedModel.USER_BIAS_SD));
        d.put("planted.itemBiasPopularityWeight", Double.toString(PlantedModel.ITEM_BIAS_POPULARITY_WEIGHT));
        d.put("planted.itemBiasSd", Double.toString(PlantedModel.ITEM_BIAS_SD));
        d.put("planted.activitySigma", Double.toString(ACTIVITY_SIGMA));
        d.put("planted.ratingBase", Double.toString(RATING_BASE));
        d.put("planted.affinityWeight", Double.toString(AFFINITY_WEIGHT));
        d.put("trainUsers", Integer.toString(knownUsers));
        d.put("trainItems", Integer.toString(knownItems));
        for (Map.Entry<String, Interactions> e : splits.entrySet()) {
            d.put("rows." + e.getKey(), Integer.toString(e.getValue().size()));
        }
        double sum = 0;
        int likes = 0;
        for (float r : ratings) {
            sum += r;
            likes += r >= 4 ? 1 : 0;
        }
        d.put("meanRating", String.format(Locale.ROOT, "%.4f", ratings.length == 0 ? 0 : sum / ratings.length));
        d.put("likeRate", String.format(Locale.ROOT, "%.4f", ratings.length == 0 ? 0 : (double) likes / ratings.length));
        d.put("rankings.test.lists", Integer.toString(ranking.size()));
        d.put("rankings.test.negatives", Integer.toString(negatives));
        return d;
    }

    /** A growable int array. */
    private static final class IntBuffer {
        private int[] values = new int[64];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** A growable float array. */
    private static final class FloatBuffer {
        private float[] values = new float[64];
        private int size;

        void add(float v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** @return {@code prefix + 1 .. prefix + count}: the raw values of codes 1..count */
    private static List<String> labels(String prefix, int count) {
        List<String> labels = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            labels.add(prefix + i);
        }
        return labels;
    }
}
