package dev.taskweave.api.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

class OffsetBlockTest {
    @Test
    void addsItsConstantAndTheSavedConstantReplacesTheGivenOne() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            OffsetBlock saved = new OffsetBlock(3.5f);
            saved.initialize(manager, DataType.FLOAT32, new Shape(2, 1));
            NDList out = saved.forward(new ParameterStore(manager, false), new NDList(manager.create(new float[] {1, -2}, new Shape(2, 1))),
                    false);
            assertArrayEquals(new float[] {4.5f, 1.5f}, out.singletonOrThrow().toFloatArray());

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            saved.saveParameters(new DataOutputStream(bytes));
            OffsetBlock loaded = new OffsetBlock(0f);
            loaded.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertEquals(3.5f, loaded.offset());
        }
        assertEquals("offset must be finite, got NaN", assertThrows(IllegalArgumentException.class, () -> new OffsetBlock(Float.NaN))
                .getMessage());
    }

    @Test
    void blockChecksNameTheBlockAndWhatItExpected() {
        BlockChecks.checkInput("mmoe", 8, new Shape(4, 8));
        assertEquals("mmoe expects one input [batch, 8], got 2 inputs", assertThrows(IllegalArgumentException.class,
                () -> BlockChecks.checkInput("mmoe", 8, new Shape(4, 8), new Shape(4, 8))).getMessage());
        assertEquals("mmoe expects an input of shape [batch, 8], got (4, 7)", assertThrows(IllegalArgumentException.class,
                () -> BlockChecks.checkInput("mmoe", 8, new Shape(4, 7))).getMessage());
        assertEquals("mmoe parameters were saved with 3 experts but this block has 4", assertThrows(MalformedModelException.class,
                () -> BlockChecks.checkSaved("mmoe", "experts", 3, 4)).getMessage());
    }
}
