package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.training.tracker.Tracker;
import dev.taskweave.core.config.OptimizerConfig;
import org.junit.jupiter.api.Test;

class LearningRateTest {
    private static OptimizerConfig config(String schedule) {
        OptimizerConfig o = new OptimizerConfig();
        o.learningRate = 0.01;
        o.schedule = schedule;
        return o;
    }

    @Test
    void constantByDefault() {
        Tracker t = Trainer.learningRate(new OptimizerConfig(), 10, 5);
        assertEquals(0.001f, t.getNewValue(1), 1e-9f);
        assertEquals(0.001f, t.getNewValue(1000), 1e-9f);
    }

    @Test
    void cosineFallsFromTheRateToTheFinalOneOverEveryStep() {
        OptimizerConfig o = config("cosine");
        o.finalLearningRate = 0.001;
        Tracker t = Trainer.learningRate(o, 10, 4); // 40 steps
        assertEquals(0.01f, t.getNewValue(0), 1e-6f);
        // half way: the mean of the two rates
        assertEquals(0.0055f, t.getNewValue(20), 1e-6f);
        // a quarter: final + (base - final) * (1 + cos(pi / 4)) / 2
        assertEquals(0.001f + 0.009f * (1 + (float) Math.cos(Math.PI / 4)) / 2, t.getNewValue(10), 1e-6f);
        assertEquals(0.001f, t.getNewValue(40), 1e-6f);
        assertEquals(0.001f, t.getNewValue(55), 1e-6f);
        // default end: a hundredth
        assertEquals(0.0001f, Trainer.learningRate(config("cosine"), 10, 4).getNewValue(40), 1e-7f);
    }

    @Test
    void stepMultipliesByTheDecayEveryPeriod() {
        OptimizerConfig o = config("step");
        o.decay = 0.5;
        o.decayEpochs = 2;
        Tracker t = Trainer.learningRate(o, 10, 6); // decays after steps 20 and 40
        assertEquals(0.01f, t.getNewValue(1), 1e-7f);
        assertEquals(0.01f, t.getNewValue(20), 1e-7f);
        assertEquals(0.005f, t.getNewValue(21), 1e-7f);
        assertEquals(0.005f, t.getNewValue(40), 1e-7f);
        assertEquals(0.0025f, t.getNewValue(41), 1e-7f);
    }

    @Test
    void warmupRisesLinearlyFirst() {
        OptimizerConfig o = config("constant");
        o.warmupSteps = 10;
        Tracker t = Trainer.learningRate(o, 10, 3);
        assertEquals(0.005f, t.getNewValue(5), 1e-7f);
        assertEquals(0.01f, t.getNewValue(10), 1e-7f);
        assertEquals(0.01f, t.getNewValue(25), 1e-7f);
    }

    @Test
    void stepDecaysStayAtEpochBoundariesAfterAWarmup() {
        OptimizerConfig o = config("step");
        o.decay = 0.5;
        o.decayEpochs = 1;
        o.warmupSteps = 5;
        Tracker t = Trainer.learningRate(o, 10, 3); // decays after steps 10 and 20
        assertEquals(0.006f, t.getNewValue(3), 1e-7f);
        assertEquals(0.01f, t.getNewValue(10), 1e-7f);
        assertEquals(0.005f, t.getNewValue(11), 1e-7f);
        assertEquals(0.005f, t.getNewValue(20), 1e-7f);
        assertEquals(0.0025f, t.getNewValue(21), 1e-7f);

        // a warm-up longer than the first epoch rises to the rate already decayed once
        o.warmupSteps = 15;
        t = Trainer.learningRate(o, 10, 3);
        assertEquals(0.005f, t.getNewValue(7) * 15f / 7f, 1e-6f);
        assertEquals(0.005f, t.getNewValue(15), 1e-7f);
        assertEquals(0.005f, t.getNewValue(20), 1e-7f);
        assertEquals(0.0025f, t.getNewValue(21), 1e-7f);

        // every decay inside the warm-up: a constant rate after it
        o.warmupSteps = 40;
        assertEquals(0.00125f, Trainer.learningRate(o, 10, 3).getNewValue(45), 1e-7f);
    }

    @Test
    void aStepScheduleWithOneDecayPointOrAFinalRateEqualToTheRateTrains() {
        // decayEpochs above half the epochs: one point (DJL's multi-factor tracker refused it at the start of training)
        OptimizerConfig o = config("step");
        o.decay = 0.5;
        o.decayEpochs = 6;
        Tracker t = Trainer.learningRate(o, 10, 10);
        assertEquals(0.01f, t.getNewValue(60), 1e-9f);
        assertEquals(0.005f, t.getNewValue(61), 1e-9f);
        assertEquals(0.005f, t.getNewValue(100), 1e-9f);
        // one epoch: its end is the only point
        o.decayEpochs = 1;
        assertEquals(0.01f, Trainer.learningRate(o, 10, 1).getNewValue(10), 1e-9f);
        // cosine to a final rate equal to the rate: constant (DJL's cosine tracker refused it)
        OptimizerConfig flat = config("cosine");
        flat.finalLearningRate = 0.01;
        Tracker c = Trainer.learningRate(flat, 10, 4);
        assertEquals(0.01f, c.getNewValue(0), 0f);
        assertEquals(0.01f, c.getNewValue(20), 0f);
        assertEquals(0.01f, c.getNewValue(40), 0f);
    }

    @Test
    void aWarmupEndingOnAnEpochBoundaryRisesToTheRateAndDecaysFromTheNextUpdate() {
        OptimizerConfig o = config("step");
        o.decay = 0.5;
        o.decayEpochs = 1;
        o.warmupSteps = 10;
        Tracker t = Trainer.learningRate(o, 10, 3); // decays after steps 10 and 20
        assertEquals(0.005f, t.getNewValue(5), 1e-9f);
        assertEquals(0.01f, t.getNewValue(10), 1e-9f);
        assertEquals(0.005f, t.getNewValue(11), 1e-9f);
        assertEquals(0.005f, t.getNewValue(20), 1e-9f);
        assertEquals(0.0025f, t.getNewValue(21), 1e-9f);
    }

    @Test
    void stepDecayGivesDjlsMultiFactorValuesBitForBit() {
        // a factor no float holds exactly: the products must be DJL's, in its order
        int[] points = {7, 19, 20, 45};
        Tracker djl = Tracker.multiFactor().setBaseValue(0.0123f).setSteps(points).optFactor(0.3f).build();
        Tracker ours = new Trainer.StepDecay(0.0123f, points, 0.3f);
        for (int update = 0; update <= 60; update++) {
            assertEquals(Float.floatToIntBits(djl.getNewValue(update)), Float.floatToIntBits(ours.getNewValue(update)), "update " + update);
        }
    }
}
