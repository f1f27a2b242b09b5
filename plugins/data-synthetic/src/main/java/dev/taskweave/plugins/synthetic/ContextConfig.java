package dev.taskweave.plugins.synthetic;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;

/**
 * {@code data.params.context}: every interaction gets a device, drawn uniformly, that shifts the
 * row's planted rating signal by a per-device offset; the per-interaction feature
 * {@code user_device} carries it.
 */
public final class ContextConfig implements ValidatedConfig {
    @JsonProperty
    private int devices = 3;
    /** The most devices: their codes are held as floats, exact up to 2^24. */
    static final int MAX_DEVICES = 1 << 24;
    @JsonProperty
    private double effect = 0.8;

    public ContextConfig() {}

    @Override
    public void validate() {
        ConfigChecks.atLeast("devices", devices, 2);
        if (devices > MAX_DEVICES) {
            // a device's code is held as a float, exact up to 2^24
            throw new InvalidConfigException("devices", "expected at most " + MAX_DEVICES + " devices, got " + devices);
        }
        ConfigChecks.nonNegative("effect", effect);
    }

    /** @return the number of devices */
    public int devices() {
        return devices;
    }

    /** @return the largest offset, in stars: the first device's is {@code -effect}, the last's {@code +effect} */
    public double effect() {
        return effect;
    }

    /**
     * @return each device's offset on the rating signal: evenly spaced from {@code -effect} to
     *     {@code +effect}, so they average 0 over uniformly drawn devices
     */
    public double[] offsets() {
        double[] offsets = new double[devices];
        for (int d = 0; d < devices; d++) {
            // an integer numerator, so that opposite devices get exactly opposite offsets (+ 0.0: no -0.0)
            offsets[d] = effect * (2 * d - (devices - 1)) / (devices - 1) + 0.0;
        }
        return offsets;
    }
}
