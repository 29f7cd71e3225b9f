package io.hpl.server.training.checkpoint;

import java.util.Random;

/**
 * {@link java.util.Random}'s exact sequence (same 48-bit LCG, same polar-method Gaussians), with its
 * whole state readable and writable, so a checkpoint can carry it and a resumed run draws the very
 * numbers the uninterrupted run would have. java.util.Random keeps both its seed and its cached
 * second Gaussian private; everything else it draws goes through {@link #next(int)}, overridden here.
 */
public final class SeededRandom extends Random {
    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xBL;
    private static final long MASK = (1L << 48) - 1;

    /** The generator's full state: the LCG's 48 bits and the Gaussian cached by the polar method. */
    public record State(long seed, boolean haveNextGaussian, double nextGaussian) {
    }

    // Not initialised in their declarations: Random's constructor calls setSeed before they would be.
    private long state;
    private boolean haveNextGaussian;
    private double nextGaussian;

    public SeededRandom(long seed) {
        super(seed);
    }

    @Override
    public synchronized void setSeed(long seed) {
        state = (seed ^ MULTIPLIER) & MASK;
        haveNextGaussian = false;
    }

    @Override
    protected synchronized int next(int bits) {
        state = (state * MULTIPLIER + ADDEND) & MASK;
        return (int) (state >>> (48 - bits));
    }

    /** As java.util.Random's (Marsaglia's polar method, StrictMath), with a cache this class can save. */
    @Override
    public synchronized double nextGaussian() {
        if (haveNextGaussian) {
            haveNextGaussian = false;
            return nextGaussian;
        }
        double v1;
        double v2;
        double s;
        do {
            v1 = 2 * nextDouble() - 1;
            v2 = 2 * nextDouble() - 1;
            s = v1 * v1 + v2 * v2;
        } while (s >= 1 || s == 0);
        double multiplier = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        nextGaussian = v2 * multiplier;
        haveNextGaussian = true;
        return v1 * multiplier;
    }

    public synchronized State state() {
        return new State(state, haveNextGaussian, nextGaussian);
    }

    public synchronized void restore(State s) {
        this.state = s.seed() & MASK;
        this.haveNextGaussian = s.haveNextGaussian();
        this.nextGaussian = s.nextGaussian();
    }
}
