package io.hpl.server.training.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.MethodSession;
import io.hpl.server.training.SessionContext;
import io.hpl.server.training.StepResult;
import io.hpl.server.training.nn.RegressorNetwork;
import java.util.List;

/**
 * Mean Teacher (Tarvainen and Valpola): the teacher is an exponential moving average of every
 * parameter of f_θ; loss = MSE_l + w·mean((f_student(x_s) − f_teacher(x_w))²), the teacher's
 * prediction (train mode, its own dropout) detached. The served model is the student.
 */
public final class MeanTeacherMethod extends SemiSupervisedMethod {

    @Override
    public MethodName name() {
        return MethodName.MEAN_TEACHER;
    }

    @Override
    public String description() {
        return "mean teacher: MSE on labelled rows + w * mean((student(strong view) - EMA teacher(weak view))^2);"
                + " sigma^2 is the residual variance on held-out labelled rows (constant)";
    }

    @Override
    public List<HyperParameter<?>> hyperParameters() {
        return SemiSupervisedHyperParameters.MEAN_TEACHER;
    }

    @Override
    protected MethodSession open(SessionContext c) {
        var hp = c.hyperParameters();
        SupervisedMethod.Optimisers optimisers = SupervisedMethod.Optimisers.of(c);
        ConsistencyBatches batches = new ConsistencyBatches(c);
        double weight = hp.get(SemiSupervisedHyperParameters.CONSISTENCY_WEIGHT);
        float decay = hp.get(SemiSupervisedHyperParameters.EMA_DECAY).floatValue();
        // The teacher starts as a copy of the student; its weights then follow the student's average.
        RegressorNetwork teacher = RegressorNetwork.of(c.manager(), c.network().snapshot(),
                hp.get(CommonHyperParameters.DROPOUT));
        List<NDArray> student = c.network().parameters();
        List<NDArray> averaged = teacher.parameters();
        averaged.forEach(a -> a.setRequiresGradient(false));
        c.state().arrays("teacher.parameters", averaged);
        c.state().arrays("teacher.buffers", teacher.buffers()); // batch norm statistics move in its train-mode forwards
        Engine engine = c.manager().getEngine();
        return (scratch, iteration) -> {
            ConsistencyBatches.Batch batch = batches.next(scratch);
            NDArray target = teacher.predict(batch.weak(), true); // grad mode off: detached
            float loss;
            try (GradientCollector collector = engine.newGradientCollector()) {
                ConsistencyBatches.StudentPredictions p = ConsistencyBatches.student(c.network(), batch);
                NDArray objective = ConsistencyBatches.mse(p.labelled(), batch.targets())
                        .add(ConsistencyBatches.weighted(p.strong().sub(target).square().mean(), weight));
                collector.backward(objective);
                loss = objective.getFloat();
            }
            optimisers.step(scratch);
            for (int i = 0; i < student.size(); i++) {
                averaged.get(i).muli(decay).addi(own(scratch, student.get(i).mul(1 - decay)));
            }
            return StepResult.of(loss);
        };
    }

    private static NDArray own(NDManager scratch, NDArray array) {
        array.attach(scratch);
        return array;
    }
}
