package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.core.config.ExperimentConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataReportTest {
    @Test
    void aSplitWhoseRowsDoNotRecordAPerInteractionFeatureIsNamed() {
        FeatureSpec recent = FeatureSpec.recent("user_recent", Entity.USER);
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1")).dense("user_recent", 1, new float[] {0.5f, -1}).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0")).build();
        Map<String, Interactions> splits = new LinkedHashMap<>();
        splits.put(Dataset.TRAIN, new Interactions(new int[] {0, 1}, new int[] {0, 0}, Map.of(),
                Map.of("user_recent", new float[] {0, 1})));
        splits.put(Dataset.VALID, new Interactions(new int[] {0}, new int[] {0}, Map.of()));
        splits.put("test", new Interactions(new int[] {1}, new int[] {0}, Map.of()));
        splits.put("empty", new Interactions(new int[0], new int[0], Map.of()));
        Dataset dataset = new Dataset("d", List.of(recent), users, items, splits, Map.of(), Map.of());
        Plan plan = new Plan(new ExperimentConfig(), "x.yaml", null, null, List.of(), List.of(), null, null, null, null);

        assertEquals(List.of("feature user_recent takes a value per interaction, but the rows of valid, test do not record it: "
                + "they read each user's current value"), DataReport.warnings(plan, dataset, List.of(recent), Map.of(), Map.of()));
        // a feature the model does not read is not its concern
        assertEquals(List.of(), DataReport.warnings(plan, dataset, List.of(), Map.of(), Map.of()));
        // an empty include reads every feature, as a left-out one: said, since it looks like "none"
        ExperimentConfig empty = new ExperimentConfig();
        empty.features.include = List.of();
        Plan emptyInclude = new Plan(empty, "x.yaml", null, null, List.of(), List.of(), null, null, null, null);
        assertEquals(List.of("features.include is empty, which reads every feature (as when it is left out): list the features to"
                + " read only those, or leave it out"), DataReport.warnings(emptyInclude, dataset, List.of(), Map.of(), Map.of()));
    }

    @Test
    void labelsAllPositiveAreAConstantOnlyWithoutSampledNegatives() {
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1")).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1")).build();
        Dataset dataset = new Dataset("d", List.of(), users, items, Map.of(Dataset.TRAIN, new Interactions(new int[] {0, 1, 1},
                new int[] {0, 0, 1}, Map.of("like", new float[] {1, 1, 1}))), Map.of(), Map.of());
        ExperimentConfig config = new ExperimentConfig();
        dev.taskweave.core.config.TaskConfig like = new dev.taskweave.core.config.TaskConfig();
        like.name = "like";
        like.label = "like";
        config.tasks = new java.util.ArrayList<>(List.of(like));
        Plan plan = new Plan(config, "x.yaml", null, null, List.of(), List.of(), null, null, null, null);
        Map<String, dev.taskweave.api.model.LabelStatistics> allOnes = Map.of("like", new dev.taskweave.api.model.LabelStatistics(3, 1, 0));
        String constant = "task like: all 3 training labels are 1 as its head encodes them, so it learns a constant";
        assertEquals(List.of(constant), DataReport.warnings(plan, dataset, List.of(), allOnes, Map.of()));
        assertEquals(List.of(constant), DataReport.warnings(plan, dataset, List.of(), allOnes, Map.of("like", 0)));
        // four negatives drawn per row: it learns positives against them
        assertEquals(List.of(), DataReport.warnings(plan, dataset, List.of(), allOnes, Map.of("like", 4)));
        // all negative stays a constant whatever is sampled (a sampled negative is a 0 too)
        assertEquals(List.of("task like: all 3 training labels are 0 as its head encodes them, so it learns a constant"),
                DataReport.warnings(plan, dataset, List.of(), Map.of("like", new dev.taskweave.api.model.LabelStatistics(3, 0, 0)),
                        Map.of("like", 4)));
    }

    @Test
    void aLabelsLineGivesTheColumnsOwnRangeOverItsLabelledTrainingRows() {
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1")).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1")).build();
        // a 7 among stars of 1-5, and rows without a label; valid's 9 is not a training label
        Map<String, Interactions> splits = new LinkedHashMap<>();
        splits.put(Dataset.TRAIN, new Interactions(new int[] {0, 1, 1, 0}, new int[] {0, 0, 1, 1},
                Map.of("stars", new float[] {3, Float.NaN, 7, 1.5f})));
        splits.put(Dataset.VALID, new Interactions(new int[] {0}, new int[] {0}, Map.of("stars", new float[] {9})));
        Dataset dataset = new Dataset("d", List.of(), users, items, splits, Map.of(), Map.of());
        ExperimentConfig config = new ExperimentConfig();
        config.tasks = new java.util.ArrayList<>();
        for (String[] task : new String[][] {{"stars", "stars"}, {"seen", "observed"}, {"likes", "stars"}}) {
            dev.taskweave.core.config.TaskConfig t = new dev.taskweave.core.config.TaskConfig();
            t.name = task[0];
            t.label = task[1];
            t.head = "regression";
            config.tasks.add(t);
        }
        Plan plan = new Plan(config, "x.yaml", null, null, List.of(), List.of(), null, null, null, null);
        // mean and sd are of the labels as the head encodes them (here as they are: (3 + 7 + 1.5) / 3)
        String report = DataReport.render(plan, dataset, List.of(), Map.of(
                "stars", new dev.taskweave.api.model.LabelStatistics(3, 11.5 / 3, 4.7222),
                "seen", new dev.taskweave.api.model.LabelStatistics(4, 1, 0),
                // a binary head's threshold (stars >= 3): the labels encoded 0 or 1, the column's raw values apart
                "likes", new dev.taskweave.api.model.LabelStatistics(3, 2.0 / 3, 2.0 / 9, 3, 0, 1)));
        assertTrue(report.contains("label stars: labelled rows train 3, valid 1; training labels mean 3.833, sd 2.173, values 1.500 to 7\n"),
                report);
        assertTrue(report.contains("observed (implicit): labelled rows train 4, valid 1; training labels all positive\n"), report);
        // before: training labels mean 0.6667, sd 0.4714, values 1.500 to 7 (the mean of 0/1 labels beside the raw range)
        assertTrue(report.contains("label stars: labelled rows train 3, valid 1; training labels mean 0.6667, sd 0.4714 as its head"
                + " encodes them (raw stars 1.500 to 7)\n"), report);
    }

    @Test
    void aRankingWithoutListsIsReportedNotACrash() {
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0")).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0")).build();
        Dataset dataset = new Dataset("d", List.of(), users, items,
                Map.of(Dataset.TRAIN, new Interactions(new int[] {0}, new int[] {0}, Map.of())),
                Map.of("test", new dev.taskweave.api.data.RankingCandidates(new int[0], new int[0], new int[0][])), Map.of());
        ExperimentConfig config = new ExperimentConfig();
        config.tasks = new java.util.ArrayList<>();
        Plan plan = new Plan(config, "x.yaml", null, null, List.of(), List.of(), null, null, null, null);
        String report = DataReport.render(plan, dataset, List.of(), Map.of());
        assertTrue(report.contains("ranking lists on test: 0, negatives per list (no list)"), report);
    }

    @Test
    void aTaskWithNothingToTrainOnIsNamed() {
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1")).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0")).build();
        dev.taskweave.api.data.EntityAttribute segment = new dev.taskweave.api.data.EntityAttribute("user_segment", Entity.USER,
                dev.taskweave.api.data.EntityAttribute.Kind.CLASS, 2, new float[] {0, 1}, new boolean[] {true, true});
        // both users' segments are evaluated: none is left to train on
        Dataset dataset = new Dataset("d", List.of(), users, items,
                Map.of(Dataset.TRAIN, new Interactions(new int[] {0}, new int[] {0}, Map.of("score", new float[] {Float.NaN}))),
                Map.of(), Map.of(), Map.of("user_segment", segment), Map.of("attribute_test", Map.of("user_segment", new int[] {0, 1})));
        ExperimentConfig config = new ExperimentConfig();
        config.tasks = new java.util.ArrayList<>();
        for (String[] task : new String[][] {{"segment", "user_segment"}, {"score", "score"}}) {
            dev.taskweave.core.config.TaskConfig t = new dev.taskweave.core.config.TaskConfig();
            t.name = task[0];
            t.label = task[1];
            config.tasks.add(t);
        }
        Plan plan = new Plan(config, "x.yaml", null, null, List.of(), List.of(), null, null, null, null);
        dev.taskweave.api.model.LabelStatistics none = new dev.taskweave.api.model.LabelStatistics(0, Double.NaN, Double.NaN);
        assertEquals(List.of(
                "task segment: no entity with a known user_segment is left to train on (each is held out for evaluation or"
                        + " unknown), so it learns nothing; its metrics measure its initial state",
                "task score: no training row has label score, so it learns nothing; its metrics measure its initial state"),
                DataReport.warnings(plan, dataset, List.of(), Map.of("segment", none, "score", none), Map.of()));
    }
}
