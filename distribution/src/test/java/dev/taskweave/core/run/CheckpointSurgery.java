package dev.taskweave.core.run;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-only access to the package-private checkpoint format: builds the checkpoint a run would
 * meet after a plugin upgrade, whose identity (the same YAML and data) matches but whose saved
 * state was laid out by another model.
 */
public final class CheckpointSurgery {
    private CheckpointSurgery() {}

    /** Rewrites {@code target} with its own identity, epoch and history but {@code donor}'s parameters and optimiser state. */
    public static void transplantState(Path donor, Path target) throws IOException {
        TrainingCheckpoint d = TrainingCheckpoint.read(donor, identityOf(donor));
        TrainingCheckpoint t = TrainingCheckpoint.read(target, identityOf(target));
        new TrainingCheckpoint(t.identity(), t.epoch(), t.finished(), t.elapsedSeconds(), d.parameters(), d.updates(), d.means(),
                d.variances(), d.averageUpdates(), d.average(), t.weightingState(), t.dropoutState(), t.best(), t.bestEpoch(),
                t.sinceBest(), d.bestParameters(), t.history()).write(target);
    }

    private static Checkpointing.Identity identityOf(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            in.readInt(); // magic
            in.readInt(); // version
            return new Checkpointing.Identity(in.readUTF(), in.readUTF());
        }
    }
}
