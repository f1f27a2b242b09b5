package dev.taskweave.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLinesTest {
    @TempDir
    Path tmp;

    @Test
    void variablesInFlowMappingsDoNotHideTheLines() throws Exception {
        // ${D:-0.5} in a flow mapping is no YAML before it is replaced: before, every line of the file was unknown
        Path file = Files.writeString(tmp.resolve("v.yaml"), """
                data: {type: synthetic, params: {users: ${USERS:-60}}}
                weighting: {type: logsum, params: {delta: ${D:-0.5}, name: "${RUN}"}}
                training:
                  epochs: ${EPOCHS}
                """);
        assertEquals(2, ConfigLines.lineOf(file, "weighting.type"));
        assertEquals(2, ConfigLines.lineOf(file, "weighting.params.delta"));
        assertEquals(1, ConfigLines.lineOf(file, "data.params.users"));
        assertEquals(4, ConfigLines.lineOf(file, "training.epochs"));
    }

    @Test
    void aPathIsFoundWhereItIsWritten() throws Exception {
        Path file = Files.writeString(tmp.resolve("e.yaml"), """
                name: demo
                features:
                  historyDropout: {user_history: 1.5}
                  dropout:
                    item_id: 0.1
                tasks:
                  - name: rating
                    head: regression
                  - name: like
                    calibrate: platt

                    calibrateColdItems: true
                training: {epochs: 3, distillation: {models: [a, b]}}
                """);
        assertEquals(3, ConfigLines.lineOf(file, "features.historyDropout.user_history"));
        assertEquals(5, ConfigLines.lineOf(file, "features.dropout.item_id"));
        assertEquals(7, ConfigLines.lineOf(file, "tasks[0]"));
        assertEquals(9, ConfigLines.lineOf(file, "tasks[1].name"));
        assertEquals(12, ConfigLines.lineOf(file, "tasks[1].calibrateColdItems"));
        assertEquals(13, ConfigLines.lineOf(file, "training.distillation.models[1]"));
        // a required field left out: the entry that lacks it
        assertEquals(9, ConfigLines.lineOf(file, "tasks[1].label"));
        // more of the path missing (a value from elsewhere), no path, an index out of range: unknown
        assertEquals(0, ConfigLines.lineOf(file, "sharing.params.experts"));
        assertEquals(0, ConfigLines.lineOf(file, ""));
        assertEquals(0, ConfigLines.lineOf(file, "tasks[5].head"));
        // a key holding dots (a tuning file's parameters), and one of them a task's name
        Path tune = Files.writeString(tmp.resolve("t.yaml"), """
                experiment: e.yaml
                parameters:
                  tasks.like.weight: [1, 2]
                  optimizer.learningRat: [0.001]
                """);
        assertEquals(4, ConfigLines.lineOf(tune, "parameters.optimizer.learningRat"));
        assertEquals(3, ConfigLines.lineOf(tune, "parameters.tasks.like.weight"));
        assertEquals(0, ConfigLines.lineOf(tune, "parameters.sharing.type"));
        // not YAML, or no file
        assertEquals(0, ConfigLines.lineOf(Files.writeString(tmp.resolve("bad.yaml"), "a: [unclosed\n"), "a"));
        assertEquals(0, ConfigLines.lineOf(tmp.resolve("missing.yaml"), "a"));
    }

    @Test
    void pathsSplitIntoNamesAndIndices() {
        assertEquals(List.of("tasks", "[1]", "params", "tower", "[0]"), ConfigLines.parts("tasks[1].params.tower[0]"));
        assertEquals(List.of("a"), ConfigLines.parts("a"));
    }
}
