package dev.taskweave.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.model.LastSharedLayer;
import dev.taskweave.api.model.SharedParameter;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.core.plugin.PluginRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The split of a real {@link MultiTaskBlock}: an encoder with one 3 x 2 embedding, a sharing block
 * with a shared {@code Linear(2)} followed by one {@code Linear(2)} column per task (the columns
 * declared as task-owned), and a {@code Linear(1)} head per task.
 */
class ParameterGroupsTest {
    @BeforeAll
    static void engine() {
        PluginRuntime.loadEngine();
    }

    @Test
    void ownedColumnsLeaveTheLayoutAndJoinTheirTask() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Columns sharing = new Columns(null);
            MultiTaskBlock block = block(manager, sharing);
            ParameterGroups groups = ParameterGroups.of(block);
            // 6 embedding values, then the shared layer's 2 x 2 weight and 2 biases; no column
            assertEquals(List.of(new SharedParameter("01encoder_user", 0, 6, false),
                    new SharedParameter("02sharing_01shared_weight", 6, 4, true),
                    new SharedParameter("02sharing_01shared_bias", 10, 2, true)), groups.layout());
            for (int t = 0; t < 2; t++) {
                List<Parameter> task = groups.task(t);
                assertEquals(4, task.size());
                assertTrue(task.containsAll(block.taskParameters(t)));
                assertTrue(task.containsAll(sharing.column(t)));
            }
            // the block itself still lists every strategy parameter, task-owned ones included
            assertEquals(2 + 4, block.strategyParameters().size());
        }
    }

    @Test
    void withoutTheInterfaceEveryStrategyParameterIsShared() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskBlock block = block(manager, new Plain());
            ParameterGroups groups = ParameterGroups.of(block);
            assertEquals(7, groups.layout().size());
            assertEquals(6 + 4 + 2 + 2 * (4 + 2), groups.layout().get(6).offset() + groups.layout().get(6).size());
            assertEquals(2, groups.task(0).size());
            assertFalse(groups.namedLastLayer());
        }
    }

    @Test
    void rejectsForeignAndDoubleDeclarations() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Columns[] self = new Columns[1];
            self[0] = new Columns(t -> self[0].column(0));
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> ParameterGroups.of(block(manager, self[0])));
            assertTrue(twice.getMessage().contains("for tasks 0 and 1"), twice.getMessage());

            Parameter foreign = Parameter.builder().setName("foreign").setType(Parameter.Type.WEIGHT).optShape(new Shape(1)).build();
            IllegalStateException other = assertThrows(IllegalStateException.class,
                    () -> ParameterGroups.of(block(manager, new Columns(t -> List.of(foreign)))));
            assertTrue(other.getMessage().contains("not one of its parameters"), other.getMessage());
        }
    }

    @Test
    void aParentTaskOwnsNothing() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // task 1 depends on task 0 (ESMM): its loss reaches task 0's head and task 0's column
            MultiTaskBlock block = block(manager, new Columns(null), List.of(new TaskDependency(1, 0, TaskDependency.Mode.ESMM, 0)));
            ParameterGroups groups = ParameterGroups.of(block);
            assertEquals(List.of(), groups.task(0));
            assertEquals(4, groups.task(1).size());
            // encoder 6, shared layer 4 + 2, then task 0's head (2 + 1) and column (4 + 2), all shared
            assertEquals(6 + 6 + 3 + 6, groups.layout().stream().mapToInt(SharedParameter::size).sum());
            assertTrue(groups.shared().containsAll(block.taskParameters(0)));
        }
    }

    @Test
    void aNamedLastSharedLayerIsGradNormsReferenceAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Deep[] self = new Deep[1];
            self[0] = new Deep(() -> new ArrayList<>(self[0].second.getParameters().values()));
            ParameterGroups groups = ParameterGroups.of(block(manager, self[0]));
            // the encoder, the first shared layer (2 x 2 and 2), the second: only the second is flagged
            assertEquals(List.of(new SharedParameter("01encoder_user", 0, 6, false),
                    new SharedParameter("02sharing_01first_weight", 6, 4, false),
                    new SharedParameter("02sharing_01first_bias", 10, 2, false),
                    new SharedParameter("02sharing_02second_weight", 12, 4, true),
                    new SharedParameter("02sharing_02second_bias", 16, 2, true)), groups.layout());
            assertTrue(groups.namedLastLayer());

            // a parent task's head is shared, but not part of the named layer
            Deep[] parent = new Deep[1];
            parent[0] = new Deep(() -> new ArrayList<>(parent[0].second.getParameters().values()));
            MultiTaskBlock esmm = block(manager, parent[0], List.of(new TaskDependency(1, 0, TaskDependency.Mode.ESMM, 0)));
            List<SharedParameter> layout = ParameterGroups.of(esmm).layout();
            assertEquals(18 + 3 + 6, layout.stream().mapToInt(SharedParameter::size).sum());
            assertEquals(6, layout.stream().filter(SharedParameter::lastLayer).mapToInt(SharedParameter::size).sum());
        }
    }

    @Test
    void anEmptyLastSharedLayerFlagsEveryStrategyParameterAsBefore() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ParameterGroups groups = ParameterGroups.of(block(manager, new Deep(List::of)));
            assertFalse(groups.namedLastLayer());
            List<SharedParameter> layout = groups.layout();
            assertEquals(List.of(false, true, true, true, true), layout.stream().map(SharedParameter::lastLayer).toList());
            // and, without a named layer, a parent task's head is flagged with them
            MultiTaskBlock esmm = block(manager, new Deep(List::of), List.of(new TaskDependency(1, 0, TaskDependency.Mode.ESMM, 0)));
            assertEquals(12 + 3 + 6, ParameterGroups.of(esmm).layout().stream().filter(SharedParameter::lastLayer)
                    .mapToInt(SharedParameter::size).sum());
        }
    }

    @Test
    void rejectsALastSharedLayerOfForeignOrTaskOwnedParameters() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Deep[] self = new Deep[1];
            self[0] = new Deep(() -> self[0].column(1));
            IllegalStateException owned = assertThrows(IllegalStateException.class, () -> ParameterGroups.of(block(manager, self[0])));
            assertTrue(owned.getMessage().contains("02sharing_04column1_weight in its last shared layer but declares it task 1's own"),
                    owned.getMessage());

            Parameter foreign = Parameter.builder().setName("foreign").setType(Parameter.Type.WEIGHT).optShape(new Shape(1)).build();
            IllegalStateException other = assertThrows(IllegalStateException.class,
                    () -> ParameterGroups.of(block(manager, new Deep(() -> List.of(foreign)))));
            assertTrue(other.getMessage().contains("names parameter foreign in its last shared layer but it is not one of its parameters"),
                    other.getMessage());
        }
    }

    private static MultiTaskBlock block(NDManager manager, AbstractBlock sharing) {
        return block(manager, sharing, List.of());
    }

    private static MultiTaskBlock block(NDManager manager, AbstractBlock sharing, List<TaskDependency> dependencies) {
        ClassLoader loader = ParameterGroupsTest.class.getClassLoader();
        InputEncoder encoder = new InputEncoder(List.of(FeatureSpec.identifier("user", Entity.USER, 3)), 2, false);
        List<MultiTaskBlock.Component> heads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            heads.add(new MultiTaskBlock.Component(Linear.builder().setUnits(1).build(), loader));
        }
        MultiTaskBlock block = new MultiTaskBlock(encoder, new MultiTaskBlock.Component(sharing, loader), 2, heads,
                List.of(1, 1), new MultiTaskBlock.Component(new LambdaBlock(x -> x), loader), dependencies);
        block.initialize(manager, DataType.FLOAT32, new Shape(4));
        return block;
    }

    /** {@code shared -> column_t}; declares the columns as task-owned, or what {@code declare} says. */
    private static final class Columns extends AbstractBlock implements TaskOwnedParameters {
        private final Linear shared = addChildBlock("shared", Linear.builder().setUnits(2).build());
        private final List<Linear> columns = List.of(addChildBlock("column0", Linear.builder().setUnits(2).build()),
                addChildBlock("column1", Linear.builder().setUnits(2).build()));
        private final IntFunction<List<Parameter>> declare;

        Columns(IntFunction<List<Parameter>> declare) {
            this.declare = declare == null ? this::column : declare;
        }

        List<Parameter> column(int t) {
            return new ArrayList<>(columns.get(t).getParameters().values());
        }

        @Override
        public List<Parameter> taskOwnedParameters(int task) {
            return declare.apply(task);
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList h = shared.forward(ps, inputs, training);
            return new NDList(columns.get(0).forward(ps, h, training).singletonOrThrow(),
                    columns.get(1).forward(ps, h, training).singletonOrThrow());
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            shared.initialize(manager, dataType, inputShapes);
            for (Linear c : columns) {
                c.initialize(manager, dataType, shared.getOutputShapes(inputShapes));
            }
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape out = new Shape(inputShapes[0].get(0), 2);
            return new Shape[] {out, out};
        }
    }

    /** {@code first -> second -> column_t}; the columns task-owned, the last shared layer what {@code last} says. */
    private static final class Deep extends AbstractBlock implements TaskOwnedParameters, LastSharedLayer {
        private final Linear first = addChildBlock("first", Linear.builder().setUnits(2).build());
        private final Linear second = addChildBlock("second", Linear.builder().setUnits(2).build());
        private final List<Linear> columns = List.of(addChildBlock("column0", Linear.builder().setUnits(2).build()),
                addChildBlock("column1", Linear.builder().setUnits(2).build()));
        private final Supplier<List<Parameter>> last;

        Deep(Supplier<List<Parameter>> last) {
            this.last = last;
        }

        List<Parameter> column(int t) {
            return new ArrayList<>(columns.get(t).getParameters().values());
        }

        @Override
        public List<Parameter> taskOwnedParameters(int task) {
            return column(task);
        }

        @Override
        public List<Parameter> lastSharedLayer() {
            return last.get();
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDList h = second.forward(ps, first.forward(ps, inputs, training), training);
            return new NDList(columns.get(0).forward(ps, h, training).singletonOrThrow(),
                    columns.get(1).forward(ps, h, training).singletonOrThrow());
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            first.initialize(manager, dataType, inputShapes);
            Shape[] hidden = first.getOutputShapes(inputShapes);
            second.initialize(manager, dataType, hidden);
            for (Linear c : columns) {
                c.initialize(manager, dataType, hidden);
            }
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape out = new Shape(inputShapes[0].get(0), 2);
            return new Shape[] {out, out};
        }
    }

    /** The same graph without the interface. */
    private static final class Plain extends AbstractBlock {
        private final Columns inner = addChildBlock("inner", new Columns(null));

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            return inner.forward(ps, inputs, training);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            inner.initialize(manager, dataType, inputShapes);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inner.getOutputShapes(inputShapes);
        }
    }
}
