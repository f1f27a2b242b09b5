package dev.taskweave.api.nn;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A building block for sharing strategies: a stack of {@code Linear -> ReLU (-> Dropout)} layers on {@code [batch, width]}. With no layer it
 * passes its input through. Dropout has no parameters, so it is applied as a function and a model
 * trained with dropout loads into a block built without it.
 */
public final class MlpBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final List<Integer> widths;
    private final float dropout;
    private final List<Linear> layers = new ArrayList<>();

    /**
     * @param widths  the layer widths; empty for the identity
     * @param dropout the dropout rate after each layer's activation, in [0, 1)
     */
    public MlpBlock(List<Integer> widths, double dropout) {
        super(VERSION);
        this.widths = List.copyOf(requireNonNull(widths, "widths is null"));
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        this.dropout = (float) dropout;
        for (int i = 0; i < this.widths.size(); i++) {
            int width = this.widths.get(i);
            if (width < 1) {
                throw new IllegalArgumentException("layer widths must be >= 1, got " + this.widths);
            }
            layers.add(addChildBlock("linear" + i, Linear.builder().setUnits(width).build()));
        }
    }

    /** @return the width of the output for an input of the given width */
    public int outputWidth(int inputWidth) {
        return widths.isEmpty() ? inputWidth : widths.get(widths.size() - 1);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray h = inputs.singletonOrThrow();
        if (layers.isEmpty()) {
            return new NDList(h);
        }
        NDArray pre = layers.get(0).forward(parameterStore, new NDList(h), training, params).singletonOrThrow();
        return new NDList(fromFirstLayer(parameterStore, pre, training, params));
    }

    /**
     * @return {@code NDList(W, b)} of the first layer ({@code W} is {@code [units, inputWidth]}),
     *     or null when the block has no layer
     */
    public NDList firstLayerMap(ParameterStore parameterStore, Device device) {
        return layers.isEmpty() ? null : layerMap(parameterStore, device, 0);
    }

    /** @return the number of layers */
    public int layerCount() {
        return layers.size();
    }

    /** @return {@code NDList(W, b)} of layer {@code i}; {@code W} is {@code [units, inputs]} */
    public NDList layerMap(ParameterStore parameterStore, Device device, int i) {
        return AffineParts.of(parameterStore, device, layers.get(i));
    }

    /**
     * @return the last layer's parameters (its weight, then its bias); empty when the block has no
     *     layer. Call after the block is initialised.
     */
    public List<Parameter> lastLayerParameters() {
        return layers.isEmpty() ? List.of() : new ArrayList<>(layers.get(layers.size() - 1).getParameters().values());
    }

    /**
     * @param blocks blocks such as a mixture's experts
     * @return every block's {@link #lastLayerParameters()}, block by block
     */
    public static List<Parameter> lastLayerParameters(List<MlpBlock> blocks) {
        List<Parameter> params = new ArrayList<>();
        for (MlpBlock block : blocks) {
            params.addAll(block.lastLayerParameters());
        }
        return params;
    }

    /** @return the width of the first layer's output (the units of {@link #firstLayerMap}) */
    public int firstLayerWidth() {
        return widths.get(0);
    }

    /**
     * Runs the block on from the first layer's pre-activation {@code x W^T + b}.
     *
     * @return the block's output for the input {@code x}
     */
    public NDArray fromFirstLayer(ParameterStore parameterStore, NDArray pre, boolean training, PairList<String, Object> params) {
        NDArray h = activate(pre, training);
        for (int i = 1; i < layers.size(); i++) {
            h = activate(layers.get(i).forward(parameterStore, new NDList(h), training, params).singletonOrThrow(), training);
        }
        return h;
    }

    private NDArray activate(NDArray pre, boolean training) {
        NDArray h = Activation.relu(pre);
        return FastDropout.apply(h, dropout, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape input = inputShapes[0];
        if (widths.isEmpty()) {
            return new Shape[] {input};
        }
        return new Shape[] {input.slice(0, input.dimension() - 1).add(widths.get(widths.size() - 1))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Linear layer : layers) {
            layer.initialize(manager, dataType, shapes);
            shapes = layer.getOutputShapes(shapes);
        }
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(widths.size());
        for (int width : widths) {
            os.writeInt(width);
        }
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported MLP encoding version: " + loadVersion);
        }
        readInputShapes(is);
        checkSaved("MLP", "layers", is.readInt(), widths.size());
        for (int i = 0; i < widths.size(); i++) {
            checkSaved("MLP", "units in layer " + i, is.readInt(), widths.get(i));
        }
    }

    private static void checkSaved(String block, String what, int saved, int expected) throws MalformedModelException {
        if (saved != expected) {
            throw new MalformedModelException(block + " parameters were saved with " + saved + " " + what
                    + " but this block has " + expected);
        }
    }
}
