package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.model.MultiTaskBlock;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.ServeConfig;
import dev.taskweave.serve.TaskweaveServer;
import dev.taskweave.serve.model.ServedModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code calibrateColdUsers}: a second Platt map for the users a model does not know, fitted on the
 * validation rows read as if their user were new, and applied wherever the user id reads as
 * unknown (a cold user of the data, a new user given by side features), in pair scoring and in
 * ranking alike; users the model knows keep the first map. {@code calibrateColdItems}: the same
 * for items.
 */
class ColdCalibrationTest extends RuntimeTest {
    static final String CONFIG = ServeNewItemsTest.CONFIG.replace(
            "{name: like, head: binary, label: rating, metrics: [auc], params: {tower: [16], threshold: 4}}",
            "{name: like, head: binary, label: rating, metrics: [auc, ece], calibrate: platt, calibrateColdUsers: true,"
                    + " params: {tower: [16], threshold: 4}}");
    private static final String NEW_USER = "\"userFeatures\": {\"user_segment\": \"seg1\", \"user_age\": 40}";

    @Test
    void usersTheModelDoesNotKnowTakeTheirOwnMap() throws Exception {
        assertTrue(CONFIG.contains("calibrateColdUsers: true"), CONFIG);
        Path model = trainWithColdMap(CONFIG, "users", "coldCalibration");

        try (TaskweaveServer server = TaskweaveServer.start(taskweave.injector().getInstance(ModelStore.class), model,
                ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "test serve.yaml"), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            ServedModel served = server.holder().current().model();
            int coldUser = served.loaded().users().indexOf("user-299");
            assertEquals(0, served.loaded().users().categorical("user_id")[coldUser], "user-299 is a cold user of the model");
            assertUnknownUsersTakeTheColdMap(server, "like", ColdCalibrationTest::logit);

            // ranking a new user's items (factored scoring) gives the pairs' calibrated scores
            ServeEndToEndTest.Response ranked = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                    "{" + NEW_USER + ", \"k\": 3, \"formula\": \"like\"}");
            assertEquals(200, ranked.status(), ranked.text());
            JsonNode items = ranked.body().get("items");
            assertEquals(3, items.size());
            StringBuilder again = new StringBuilder("{\"tasks\": [\"like\"], \"pairs\": [");
            for (int i = 0; i < items.size(); i++) {
                again.append(i == 0 ? "" : ",").append("{").append(NEW_USER).append(", \"item\": \"")
                        .append(items.get(i).get("item").asText()).append("\"}");
            }
            JsonNode scored = ServeNewItemsTest.post(server, again.append("]}").toString());
            for (int i = 0; i < items.size(); i++) {
                assertEquals(scored.at("/scores/" + i + "/scores/like").asDouble(), items.get(i).at("/scores/like").asDouble(), 1e-5,
                        "ranked item " + i);
            }
        }

        // it needs platt
        String withoutPlatt = CONFIG.replace("calibrate: platt, calibrateColdUsers: true", "calibrateColdUsers: true");
        Path bad = write("bad.yaml", withoutPlatt);
        ConfigException e = assertThrows(ConfigException.class, () -> taskweave.train(bad, tmp.resolve("bad"), quiet()));
        assertTrue(e.getMessage().contains("tasks[1].calibrateColdUsers") && e.getMessage().contains("needs calibrate: platt"),
                e.getMessage());
    }

    /**
     * {@code calibrateColdItems}: the same for the items a model does not know (a cold item of the
     * data, a new item given by side features), fitted on the validation rows read as if their item
     * were new, in pair scoring and in ranking alike; a row whose user and item are both unknown
     * takes the users' map.
     */
    @Test
    void itemsTheModelDoesNotKnowTakeTheirOwnMap() throws Exception {
        String config = CONFIG.replace("calibrateColdUsers: true,", "calibrateColdUsers: true, calibrateColdItems: true,");
        assertTrue(config.contains("calibrateColdItems: true"), config);
        Path model = trainWithColdMap(config, "items", "coldItemCalibration");

        try (TaskweaveServer server = TaskweaveServer.start(taskweave.injector().getInstance(ModelStore.class), model,
                ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "test serve.yaml"), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            ServedModel served = server.holder().current().model();
            MultiTaskBlock block = served.model().block();
            int t = served.model().task("like").index();
            double[] warm = block.calibration(t);
            double[] coldItem = block.coldItemCalibration(t);
            assertNotNull(coldItem, "the saved map is loaded");
            assertTrue(Math.abs(coldItem[0] - warm[0]) > 1e-3 || Math.abs(coldItem[1] - warm[1]) > 1e-3, "two different maps");
            int cold = served.loaded().items().indexOf("item-new-0");
            assertEquals(0, served.loaded().items().categorical("item_id")[cold], "item-new-0 is a cold item of the model");
            // a known pair; a known user with the cold item, and with a new item; a new user with the cold item
            String pairs = "{\"tasks\": [\"like\"], \"pairs\": [{\"user\": \"user-3\", \"item\": \"item-1\"},"
                    + "{\"user\": \"user-3\", \"item\": \"item-new-0\"}, {\"user\": \"user-3\", \"itemFeatures\": "
                    + ServeNewItemsTest.FEATURES + "}, {" + NEW_USER + ", \"item\": \"item-new-0\"}]}";
            JsonNode both = ServeNewItemsTest.post(server, pairs);
            block.setColdItemCalibration(t, null);
            JsonNode warmOnly = ServeNewItemsTest.post(server, pairs);
            block.setColdItemCalibration(t, coldItem);
            String score = "/scores/%d/scores/like";
            assertEquals(warmOnly.at(score.formatted(0)).asDouble(), both.at(score.formatted(0)).asDouble(), 1e-6, "a known pair");
            for (int i = 1; i <= 2; i++) {
                double x = (logit(warmOnly.at(score.formatted(i)).asDouble()) - warm[1]) / warm[0];
                assertEquals(coldItem[0] * x + coldItem[1], logit(both.at(score.formatted(i)).asDouble()), 1e-4, "pair " + i);
            }
            assertEquals(warmOnly.at(score.formatted(3)).asDouble(), both.at(score.formatted(3)).asDouble(), 1e-6,
                    "both unknown: the users' map");

            // ranking (factored scoring) gives the pair's calibrated score to the cold item
            ServeEndToEndTest.Response ranked = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                    "{\"user\": \"user-3\", \"k\": 1, \"formula\": \"like\", \"candidates\": [\"item-new-0\"]}");
            assertEquals(200, ranked.status(), ranked.text());
            assertEquals("item-new-0", ranked.body().at("/items/0/item").asText(), ranked.text());
            assertEquals(both.at(score.formatted(1)).asDouble(), ranked.body().at("/items/0/scores/like").asDouble(), 1e-5);
        }

        // it needs an affine calibration
        Path bad = write("bad.yaml", config.replace("calibrate: platt, calibrateColdUsers: true, ", ""));
        ConfigException e = assertThrows(ConfigException.class, () -> taskweave.train(bad, tmp.resolve("bad"), quiet()));
        assertTrue(e.getMessage().contains("tasks[1].calibrateColdItems") && e.getMessage().contains("needs calibrate: platt or linear")
                && e.getMessage().contains("items the model does not know"), e.getMessage());
    }

    /**
     * Trains {@code config} on the files data; the like task's second map for {@code entities} the
     * model does not know is logged and saved in {@code model.json} under {@code field}.
     *
     * @return the model directory
     */
    private Path trainWithColdMap(String config, String entities, String field) throws Exception {
        FilesEndToEndTest.writeData(tmp);
        Path model = tmp.resolve("model");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        taskweave.train(write("experiment.yaml", config), model, new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("calibrated like for " + entities + " the model does not know, on the same rows read as new "
                + entities + ": p = sigmoid("), printed);
        assertTrue(Files.readString(model.resolve("model.json")).contains("\"" + field + "\""));
        return model;
    }

    /**
     * {@code calibrate: linear} on a regression task: a least-squares line of its output fitted on
     * the validation rows, and with {@code calibrateColdUsers} a second one fitted on the same rows
     * read as new users, applied wherever the user id is unknown.
     */
    @Test
    void aRegressionTaskTakesLinearMaps() throws Exception {
        String config = CONFIG.replace("{name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [16]}}",
                "{name: rating, head: regression, label: rating, metrics: [rmse], calibrate: linear, calibrateColdUsers: true,"
                        + " params: {tower: [16]}}");
        assertTrue(config.contains("calibrate: linear"), config);
        FilesEndToEndTest.writeData(tmp);
        Path model = tmp.resolve("model");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        var trained = taskweave.train(write("experiment.yaml", config), model, new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("calibrated rating on ") && printed.contains(" validation rows: ")
                && printed.contains("calibrated rating for users the model does not know, on the same rows read as new users: "),
                printed);
        // the line is fitted on the validation rows, so it cannot raise their squared error
        var uncalibrated = taskweave.train(write("plain.yaml", config.replace("calibrate: linear, calibrateColdUsers: true,", "")),
                tmp.resolve("plain"), quiet());
        assertTrue(trained.metrics().get("valid").get("rating").get("rmse") <= uncalibrated.metrics().get("valid").get("rating").get("rmse")
                + 1e-9, trained.metrics() + " / " + uncalibrated.metrics());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(json.valueToTree(trained.metrics()), json.valueToTree(taskweave.evaluate(model)));

        try (TaskweaveServer server = TaskweaveServer.start(taskweave.injector().getInstance(ModelStore.class), model,
                ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "test serve.yaml"), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            assertUnknownUsersTakeTheColdMap(server, "rating", x -> x);
        }

        // fitted on training rows, check warns
        assertTrue(taskweave.check(write("on-train.yaml", config.replace("calibrate: linear, calibrateColdUsers: true,",
                "calibrate: linear, calibrateOn: train,")), quiet()).contains("tasks[0].calibrateOn: train fits its line on rows the"
                + " model has learnt"));

        // a logit is platt's
        Path bad = write("bad.yaml", CONFIG.replace("calibrate: platt, calibrateColdUsers: true", "calibrate: linear"));
        ConfigException e = assertThrows(ConfigException.class, () -> taskweave.train(bad, tmp.resolve("bad"), quiet()));
        assertTrue(e.getMessage().contains("tasks[1].calibrate") && e.getMessage().contains("linear maps one predicted value"),
                e.getMessage());
    }

    /**
     * Scores a known user's pair, a cold user's and a new user's with both of {@code task}'s maps,
     * then with the first alone: the known user's score does not move; the others' move from
     * {@code a_w x + b_w} to the cold map's {@code a_c x + b_c} on the same raw output {@code x}.
     *
     * @param output a served score back to the calibrated output ({@code logit} for a probability)
     */
    private static void assertUnknownUsersTakeTheColdMap(TaskweaveServer server, String task,
            java.util.function.DoubleUnaryOperator output) throws Exception {
        ServedModel served = server.holder().current().model();
        MultiTaskBlock block = served.model().block();
        int t = served.model().task(task).index();
        double[] warm = block.calibration(t);
        double[] cold = block.coldCalibration(t);
        assertNotNull(warm);
        assertNotNull(cold, "the saved map is loaded");
        assertTrue(Math.abs(cold[0] - warm[0]) > 1e-3 || Math.abs(cold[1] - warm[1]) > 1e-3, "two different maps");
        String pairs = "{\"tasks\": [\"" + task + "\"], \"pairs\": [{\"user\": \"user-3\", \"item\": \"item-1\"},"
                + "{\"user\": \"user-299\", \"item\": \"item-1\"}, {" + NEW_USER + ", \"item\": \"item-2\"}]}";
        JsonNode both = ServeNewItemsTest.post(server, pairs);
        block.setColdCalibration(t, null);
        JsonNode warmOnly = ServeNewItemsTest.post(server, pairs);
        block.setColdCalibration(t, cold);
        String score = "/scores/%d/scores/" + task;
        assertEquals(warmOnly.at(score.formatted(0)).asDouble(), both.at(score.formatted(0)).asDouble(), 1e-6, "a known user");
        for (int i = 1; i <= 2; i++) {
            double x = (output.applyAsDouble(warmOnly.at(score.formatted(i)).asDouble()) - warm[1]) / warm[0];
            assertEquals(cold[0] * x + cold[1], output.applyAsDouble(both.at(score.formatted(i)).asDouble()), 1e-4, "pair " + i);
        }
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }
}
