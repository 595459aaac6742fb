#!/usr/bin/env python3
"""The numpy peer of the streaming benchmark (issue 15, item 3).

For every hop of the measured span, the window is recomputed from scratch
the way one would write it with numpy: the labeled bins' symbols as a one-hot
activity matrix A (samples x units*levels, float64), and for each mode m the
count tables of every pair at once as one BLAS product,

    C_m = A_m^T A_m,   C_m[i*L + x, j*L + x'] = #{bins of mode m: X_i = x, X_j = x'},

whose diagonal blocks are the single-unit tables. From them, for all pairs
at once (../shared/SCIENCE.md; bits):

    H = log2 N - (1/N) sum n log2 n                         (plug-in)
    H_MM = H + (R - 1) / (2 N ln 2), R = occupied cells      (Miller-Madow)
    I(X;Y) = H(X) - sum_m (N_m/N) H(X|m), H(X|m) on the mode's own table and N_m
    Syn = I(X_i,X_j;Y) - I(X_i;Y) - I(X_j;Y)

and the strongest `top` pairs by |synergy| (compared at 1e-12 bits, ties:
lower unit indices first, as src/engine/windowReadout.ts comparePairs).

Input: a folder written by bench/peers/peerData.ts (symbols.npy, labels.npy,
meta.json). Only the per-hop analysis is timed. Prints one JSON line.

    numpy_synergy.py DATA_DIR [--estimator plugin|miller-madow] [--top 100] [--dump FILE]

Python 3 standard library and numpy only; one BLAS thread.
"""
import os

# One BLAS thread, set before numpy loads its BLAS (the analyzer it is compared with runs on one core).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

ESTIMATORS = ("plugin", "miller-madow")


def n_log2_n(counts):
    """n log2 n elementwise (0 where n = 0)."""
    out = np.zeros_like(counts)
    np.log2(counts, out=out, where=counts > 0)
    out *= counts
    return out


def entropy(tables, total, axes, estimator):
    """Entropy in bits of each table (cells along `axes`) of `total` samples, Miller-Madow-corrected if asked."""
    h = math.log2(total) - n_log2_n(tables).sum(axis=axes) / total
    if estimator == "miller-madow":
        occupied = np.count_nonzero(tables, axis=axes)
        h += (occupied - 1) / (2 * total * math.log(2))
    return h


def window_information(symbols, modes, levels, n_modes, estimator):
    """I(X_i,X_j;Y) for every pair (units x units) and I(X_i;Y) for every unit, over one window's labeled bins."""
    samples, units = symbols.shape
    onehot = (symbols[:, :, None] == np.arange(levels, dtype=symbols.dtype)).reshape(samples, units * levels)
    onehot = onehot.astype(np.float64)
    overall = np.zeros((units * levels, units * levels))
    conditional_pair = np.zeros((units, units))
    conditional_single = np.zeros(units)
    for m in range(n_modes):
        a = onehot[modes == m]
        n_m = a.shape[0]
        if n_m == 0:
            continue
        counts = a.T @ a
        overall += counts
        weight = n_m / samples
        conditional_pair += weight * entropy(counts.reshape(units, levels, units, levels), n_m, (1, 3), estimator)
        conditional_single += weight * entropy(np.diagonal(counts).reshape(units, levels), n_m, 1, estimator)
    joint = entropy(overall.reshape(units, levels, units, levels), samples, (1, 3), estimator) - conditional_pair
    single = entropy(np.diagonal(overall).reshape(units, levels), samples, 1, estimator) - conditional_single
    return joint, single


def rank_key(synergy):
    """|synergy| in units of 1e-12 bits, rounded half up as JavaScript's Math.round (windowReadout.ts rankKey)."""
    return np.floor(np.abs(synergy) * 1e12 + 0.5)


def blas_libraries():
    """The BLAS shared objects mapped into this process (read after a matrix product has run)."""
    found = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) < 6:
                continue
            path = fields[5].strip()
            name = os.path.basename(path).lower()
            if ("blas" in name or "mkl" in name) and ".so" in name and path not in found:
                found.append(path)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="folder written by bench/peers/peerData.ts")
    parser.add_argument("--estimator", choices=ESTIMATORS, default="plugin")
    parser.add_argument("--top", type=int, default=100)
    parser.add_argument("--dump", help="write the last hop's top pairs as JSON to this file")
    args = parser.parse_args()

    with open(os.path.join(args.data, "meta.json")) as file:
        meta = json.load(file)
    symbols = np.load(os.path.join(args.data, "symbols.npy"))
    labels = np.load(os.path.join(args.data, "labels.npy"))
    levels = meta["levels"]
    n_modes = len(meta["modeNames"])
    window_bins = meta["windowBins"]
    first_bin = meta["firstBin"]
    units = symbols.shape[1]
    pair_i, pair_j = np.triu_indices(units, 1)

    # A product before timing: loads and starts the BLAS, and tells which one it is.
    np.ones((64, 64)) @ np.ones((64, 64))
    blas = blas_libraries()

    last = None
    started = time.perf_counter()
    for end_bin in meta["emissionBins"]:
        rows = slice(max(0, end_bin - window_bins - first_bin), end_bin - first_bin)
        window_labels = labels[rows]
        labeled = window_labels >= 0
        modes = window_labels[labeled]
        top = []
        if modes.size > 0:
            joint, single = window_information(symbols[rows][labeled], modes, levels, n_modes, args.estimator)
            synergy = joint[pair_i, pair_j] - single[pair_i] - single[pair_j]
            # A stable sort of the pairs in (i, j) order by descending key: ties keep lower indices first.
            order = np.argsort(-rank_key(synergy), kind="stable")[: args.top]
            top = [(pair_i[k], pair_j[k], joint[pair_i[k], pair_j[k]], single[pair_i[k]], single[pair_j[k]], synergy[k]) for k in order]
        last = (end_bin, window_labels, modes, top)
    seconds = time.perf_counter() - started

    hops = len(meta["emissionBins"])
    measured_seconds = hops * meta["hopBins"] * meta["binSeconds"]
    if args.dump and last is not None:
        end_bin, window_labels, modes, top = last
        per_mode = np.bincount(modes, minlength=n_modes)
        ids = meta["unitIds"]
        with open(args.dump, "w") as file:
            json.dump(
                {
                    "emissionBin": end_bin,
                    "samples": int(modes.size),
                    "unlabeled": int(np.count_nonzero(window_labels < 0)),
                    "labels": {name: int(per_mode[m]) for m, name in enumerate(meta["modeNames"])},
                    "pairs": [
                        {"i": int(i), "j": int(j), "a": ids[i], "b": ids[j], "joint": float(jo), "ia": float(ia), "ib": float(ib), "synergy": float(s)}
                        for i, j, jo, ia, ib, s in top
                    ],
                },
                file,
            )
    print(
        json.dumps(
            {
                "name": f"peer/numpy/{args.estimator}/{units}-units",
                "units": units,
                "pairs": units * (units - 1) // 2,
                "estimator": args.estimator,
                "top": args.top,
                "hops": hops,
                "measuredSeconds": measured_seconds,
                "realtimeFactor": measured_seconds / seconds if seconds > 0 else None,
                "msPerHop": 1000 * seconds / hops if hops > 0 else None,
                "numpy": np.__version__,
                "python": platform.python_version(),
                "blas": " ".join(blas) if blas else "none found in /proc/self/maps",
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
