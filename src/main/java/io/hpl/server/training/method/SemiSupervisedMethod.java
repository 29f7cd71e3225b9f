package io.hpl.server.training.method;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.IterativeMethod;
import io.hpl.server.training.views.TabularViews;
import io.hpl.server.training.views.Views;
import java.util.Random;

/** What the methods that learn from unlabelled rows share: they need some, and a strong view. */
abstract class SemiSupervisedMethod extends IterativeMethod {

    @Override
    public final boolean semiSupervised() {
        return true;
    }

    @Override
    protected final Views tabularViews(HyperParameters hp, DatasetSchema schema, Random random) {
        return new TabularViews(hp.get(CommonHyperParameters.WEAK_NOISE),
                hp.get(SemiSupervisedHyperParameters.STRONG_NOISE),
                hp.get(SemiSupervisedHyperParameters.SWAP_PROBABILITY), TabularViews.groupsOf(schema), random);
    }
}
