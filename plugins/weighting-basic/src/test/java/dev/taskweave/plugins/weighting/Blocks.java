package dev.taskweave.plugins.weighting;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Map;

/** Test helpers: config binding, block set-up, forward and save/load. */
final class Blocks {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private Blocks() {}

    static <C> C bind(Map<String, ?> params, Class<C> type) {
        return MAPPER.convertValue(params, type);
    }

    static Block initialized(NDManager manager, Block block, int tasks) {
        block.initialize(manager, DataType.FLOAT32, new Shape(tasks), new Shape(tasks));
        return block;
    }

    static NDList forward(NDManager manager, Block block, float[] losses, float[] present, boolean training) {
        return block.forward(new ParameterStore(manager, false),
                new NDList(manager.create(losses), manager.create(present)), training);
    }

    static void copy(NDManager manager, Block from, Block to) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            from.saveParameters(out);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            to.loadParameters(manager, in);
            if (in.read() != -1) {
                throw new AssertionError("loadParameters left bytes unread");
            }
        }
    }
}
