#!/usr/bin/python3
"""The tabular anchor: what a user with a table would train instead of calling this server.

scikit-learn's HistGradientBoostingRegressor with default settings (categorical columns native), fitted on the
labelled rows of the benchmark splits (src/test/resources/benchmark, the reference run's splits), scored on the
test rows. Two fits per cell: on all labelled
rows (`mae`), and on the 80% that this server's methods train on, the other 20% held out as calibration rows
(`mae_80`, the comparable figure), with a split-conformal 90% interval from those 20% (`conformal_cov90`).
Targets as in docs/benchmark-protocol.md (log for house_lucas, diamonds, cps1988; storms drops `name`).

Needs Debian's python3-sklearn (apt-get install python3-sklearn), run with /usr/bin/python3.
Usage: docs/gbdt-anchor/gbdt_anchor.py OUT.jsonl [dataset,...]   (about 1 minute for all four tables on 2 cores)
"""
import csv, gzip, json, math, os, sys
import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'test', 'resources', 'benchmark')
SPEC = {'house_lucas': ('price', True, []), 'storms': ('wind', False, ['name']),
        'diamonds': ('price', True, []), 'cps1988': ('wage', True, [])}


def roles(name, seed, gamma):
    with gzip.open(os.path.join(DATA, f'{name}_seed{seed}.csv.gz'), 'rt') as fh:
        return np.array([r['gamma_%.2f' % gamma] for r in csv.DictReader(fh)])


def main():
    out = sys.argv[1]
    names = sys.argv[2].split(',') if len(sys.argv) > 2 else list(SPEC)
    for name in names:
        with gzip.open(os.path.join(DATA, name + '.csv.gz'), 'rt', newline='') as fh:
            rows = list(csv.reader(fh))
        header, rows = rows[0], rows[1:]
        target, log, drop = SPEC[name]
        feats = [h for h in header if h != target and h not in drop]
        cols, cat = [], []
        for h in feats:
            j = header.index(h)
            try:
                cols.append(np.array([float(r[j]) for r in rows])); cat.append(False)
            except ValueError:
                levels = {v: k for k, v in enumerate(sorted({r[j] for r in rows}))}
                cols.append(np.array([levels[r[j]] for r in rows], float)); cat.append(True)
        X, cat = np.stack(cols, 1), np.array(cat)
        t = header.index(target)
        y = np.array([math.log(float(r[t])) if log else float(r[t]) for r in rows])
        for seed in (0, 1, 2):
            for gamma in (0.05, 0.10, 0.20):
                role = roles(name, seed, gamma)
                L, T = np.where(role == 'L')[0], np.where(role == 'T')[0]
                perm = np.random.default_rng(seed).permutation(L)
                ncal = int(round(0.2 * len(L)))
                cal, fit = perm[:ncal], perm[ncal:]
                kw = dict(random_state=seed, categorical_features=cat if cat.any() else None)
                mae = float(np.mean(np.abs(HistGradientBoostingRegressor(**kw).fit(X[L], y[L]).predict(X[T]) - y[T])))
                m = HistGradientBoostingRegressor(**kw).fit(X[fit], y[fit])
                level = min(1.0, math.ceil(0.9 * (ncal + 1)) / ncal)
                q = np.quantile(np.abs(m.predict(X[cal]) - y[cal]), level)
                err = np.abs(m.predict(X[T]) - y[T])
                rec = dict(dataset=name, seed=seed, gamma=gamma, method='GBDT', mae=mae,
                           mae_80=float(err.mean()), conformal_cov90=float(np.mean(err <= q)))
                print(json.dumps(rec), flush=True)
                with open(out, 'a') as fh:
                    fh.write(json.dumps(rec) + '\n')


if __name__ == '__main__':
    main()
