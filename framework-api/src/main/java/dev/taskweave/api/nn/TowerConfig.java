package dev.taskweave.api.nn;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a task head's {@code tasks[i].params} that shapes its tower ({@link Towers}):
 * {@code tower}, the hidden layer widths, and {@code dropout}, the rate after each hidden
 * activation. A head's configuration class extends it with its own fields and, when it checks
 * them, calls {@code super.validate()} first.
 */
public abstract class TowerConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> tower;
    @JsonProperty
    private double dropout = 0.0;

    /** @param defaultTower the hidden layer widths when {@code tower} is not set */
    protected TowerConfig(List<Integer> defaultTower) {
        this.tower = List.copyOf(defaultTower);
    }

    @Override
    public void validate() {
        ConfigChecks.widths("tower", tower, true);
        ConfigChecks.dropout("dropout", dropout);
    }

    /** @return the hidden layer widths of the tower; empty means a linear output on the input */
    public List<Integer> tower() {
        return List.copyOf(tower);
    }

    public void setTower(List<Integer> tower) {
        this.tower = tower == null ? null : new ArrayList<>(tower);
    }

    /** @return the dropout rate after each hidden activation */
    public double dropout() {
        return dropout;
    }

    public void setDropout(double dropout) {
        this.dropout = dropout;
    }
}
