package io.hpl.server.training;

/** The training methods, named as in the paper's tables. */
public enum MethodName {
    SUPERVISED,
    PSEUDO_LABEL,
    HPL_JOINT,
    HPL,
    MEAN_TEACHER
}
