package io.hpl.server.training;

/** The training methods: the paper's (named as in its tables), the tree family, and AUTO, which picks among them. */
public enum MethodName {
    SUPERVISED,
    PSEUDO_LABEL,
    HPL_JOINT,
    HPL,
    MEAN_TEACHER,
    GBDT,
    HPL_GBDT,
    AUTO
}
