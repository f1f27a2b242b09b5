package dev.taskweave.distribution;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The runtime and every bundled plugin use {@link dev.taskweave.api.nn.Scalars} for arithmetic with
 * a Java number: DJL's {@code Number} overloads hand autograd a scalar whose memory the garbage
 * collector may free before backward, which made same-seed trainings differ (see ScalarsTest).
 * In-place operations ({@code muli}) are left alone: they never enter the autograd graph.
 */
class AutogradSafetyTest {
    @Test
    void noCodeUsesTheNumberOverloadsOfNdArrayArithmetic() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.taskweave");
        ArchRule rule = noClasses().should().callMethod(NDArray.class, "mul", Number.class)
                .orShould().callMethod(NDArray.class, "div", Number.class)
                .orShould().callMethod(NDArray.class, "pow", Number.class)
                .orShould().callMethod(NDArray.class, "maximum", Number.class)
                .orShould().callMethod(NDArray.class, "minimum", Number.class)
                .orShould().callMethod(NDArrays.class, "mul", NDArray.class, Number.class)
                .orShould().callMethod(NDArrays.class, "mul", Number.class, NDArray.class)
                .orShould().callMethod(NDArrays.class, "div", NDArray.class, Number.class)
                .orShould().callMethod(NDArrays.class, "div", Number.class, NDArray.class)
                .orShould().callMethod(NDArrays.class, "pow", NDArray.class, Number.class)
                .orShould().callMethod(NDArrays.class, "pow", Number.class, NDArray.class)
                .orShould().callMethod(NDArrays.class, "maximum", NDArray.class, Number.class)
                .orShould().callMethod(NDArrays.class, "minimum", NDArray.class, Number.class)
                .because("the scalar DJL creates for the number lives in a Java buffer the garbage collector may"
                        + " free before backward reads it; use dev.taskweave.api.nn.Scalars");
        rule.check(classes);
    }
}
