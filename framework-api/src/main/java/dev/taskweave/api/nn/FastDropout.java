package dev.taskweave.api.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * Inverted dropout whose mask is drawn in Java: {@code x * mask}, each element of the mask
 * {@code 1 / (1 - rate)} with probability {@code 1 - rate} and 0 otherwise.
 *
 * <p>PyTorch's CPU dropout draws one Mersenne-Twister number per element (about 12 ns each on the
 * 2-core benchmark machine); at the batch sizes of recommender training that made dropout about a
 * fifth of a training step. Here one 64-bit draw of SplitMix64 (the generator of
 * {@link java.util.SplittableRandom}, whose stream it reproduces) gives four 16-bit
 * uniforms, so {@code rate} is used at a resolution of 1/65,536. The gradient is the same
 * {@code mask} (autograd sees a multiplication by a constant).
 *
 * <p>On PyTorch's CPU arrays the mask is written straight into the memory of a new, uninitialised
 * array (through {@code toByteBuffer(true)}, a view of the tensor's memory): no Java array and no
 * direct buffer per call. Building it from a {@code float[]} allocated four bytes per element on
 * the Java heap and as much native memory that only the garbage collector released, about 200 KB
 * per training step of a 128-64 bottom at batch 256; the values are the same either way.
 *
 * <p>The generator is per thread and starts from a fixed seed; the runtime calls {@link #seed}
 * with the experiment's seed before training, so runs with the same seed draw the same masks. Its
 * whole state is one number ({@link #state}, {@link #restore}), which a training checkpoint saves
 * so that a resumed run draws the masks the uninterrupted run would have.
 * Blocks call {@link #apply} where they would call {@code Dropout.dropout}.
 */
public final class FastDropout {
    private static final ThreadLocal<SplitMix64> RANDOM = ThreadLocal.withInitial(() -> new SplitMix64(0x7A5C_3E11L));
    /** Whether PyTorch's {@code toByteBuffer(true)} gives a view of a CPU array's memory; null until checked. */
    private static volatile Boolean pytorchViews;

    private FastDropout() {}

    /** Restarts the calling thread's mask generator. */
    public static void seed(long seed) {
        RANDOM.set(new SplitMix64(seed));
    }

    /** @return the calling thread's generator state, for {@link #restore} */
    public static long state() {
        return RANDOM.get().state;
    }

    /** Puts the calling thread's generator back to a state returned by {@link #state}. */
    public static void restore(long state) {
        RANDOM.get().state = state;
    }

    /**
     * @param x        the activations
     * @param rate     the probability of dropping an element, in [0, 1)
     * @param training false to return {@code x} unchanged
     * @return {@code x} with dropout applied
     */
    public static NDArray apply(NDArray x, float rate, boolean training) {
        if (!training || rate <= 0f) {
            return x;
        }
        if (!(rate < 1f)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        // one shape query: each is a native call
        Shape shape = x.getShape();
        long size = shape.size();
        // a mask's bytes must fit one buffer
        if (x.getDataType() != DataType.FLOAT32 || size > Integer.MAX_VALUE / 4) {
            return Dropout.dropout(x, rate, true).singletonOrThrow();
        }
        NDManager manager = x.getManager();
        if (writesInPlace(manager)) {
            NDArray mask = manager.create(shape, DataType.FLOAT32);
            fill(mask.toByteBuffer(true).asIntBuffer(), (int) size, rate, RANDOM.get());
            return x.mul(mask);
        }
        return copied(x, shape, rate);
    }

    /** {@code x} times a mask the engine copies from Java memory: engines and devices not written in place */
    static NDArray copied(NDArray x, Shape shape, float rate) {
        return x.mul(x.getManager().create(maskBytes(Math.toIntExact(shape.size()), rate, RANDOM.get()), shape, DataType.FLOAT32));
    }

    /**
     * @return whether {@code manager}'s arrays can be written through {@code toByteBuffer(true)}:
     *     PyTorch's CPU arrays, where it is a view of the tensor's memory (checked once by writing
     *     and reading back a small array; other engines and devices copy, and get the mask from a
     *     Java array)
     */
    static boolean writesInPlace(NDManager manager) {
        if (!Device.cpu().equals(manager.getDevice()) || !"PyTorch".equals(manager.getEngine().getEngineName())) {
            return false;
        }
        Boolean known = pytorchViews;
        if (known == null) {
            try (NDManager probe = manager.newSubManager()) {
                NDArray a = probe.zeros(new Shape(4), DataType.FLOAT32);
                a.toByteBuffer(true).asFloatBuffer().put(new float[] {1f, 2f, 3f, 4f});
                known = java.util.Arrays.equals(a.toFloatArray(), new float[] {1f, 2f, 3f, 4f});
            } catch (RuntimeException e) {
                known = false; // the engine does not hand out its arrays' memory: the Java-array path
            }
            pytorchViews = known;
        }
        return known;
    }

    /** @return {@code n} mask values: {@code 1 / (1 - rate)} or 0 */
    static float[] mask(int n, float rate, SplitMix64 random) {
        float[] mask = new float[n];
        maskBytes(n, rate, random).asFloatBuffer().get(mask);
        return mask;
    }

    /** @return {@code n} mask values as floats in native byte order, for an engine to copy */
    private static ByteBuffer maskBytes(int n, float rate, SplitMix64 random) {
        ByteBuffer bytes = ByteBuffer.allocate(n * 4).order(ByteOrder.nativeOrder());
        fill(bytes.asIntBuffer(), n, rate, random);
        return bytes;
    }

    /**
     * Writes {@code n} mask values, {@code 1 / (1 - rate)} or 0, as the bits of floats from
     * {@code out}'s index 0: each 64-bit draw gives four 16-bit uniforms, lowest bits first, and
     * an element is kept when its uniform is at least {@code rate * 65,536} (rounded). Without
     * branches (a masked copy of the kept value's bits), as a dropped element's branch was
     * mispredicted about once in ten elements at rate 0.1.
     */
    static void fill(IntBuffer out, int n, float rate, SplitMix64 random) {
        int threshold = Math.round(rate * 65_536f);
        int keep = Float.floatToRawIntBits(1f / (1f - rate));
        int i = 0;
        for (int whole = n & ~3; i < whole; i += 4) {
            long bits = random.nextLong();
            out.put(i, keep & kept(bits, threshold));
            out.put(i + 1, keep & kept(bits >>> 16, threshold));
            out.put(i + 2, keep & kept(bits >>> 32, threshold));
            out.put(i + 3, keep & kept(bits >>> 48, threshold));
        }
        if (i < n) {
            long bits = random.nextLong();
            for (; i < n; i++, bits >>>= 16) {
                out.put(i, keep & kept(bits, threshold));
            }
        }
    }

    /** @return all bits set when the 16-bit uniform in {@code bits}' lowest bits is at least {@code threshold}, else 0 */
    private static int kept(long bits, int threshold) {
        return ((((int) bits & 0xFFFF) - threshold) >>> 31) - 1;
    }

    /**
     * SplitMix64 (Steele, Lea and Flood 2014) with the golden-ratio increment: the stream of
     * {@code new SplittableRandom(seed).nextLong()}, with its state readable.
     */
    static final class SplitMix64 {
        private static final long GAMMA = 0x9E37_79B9_7F4A_7C15L;
        long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        long nextLong() {
            long z = state += GAMMA;
            z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
            return z ^ (z >>> 31);
        }
    }
}
