"""The learned layer's trainer: the sparse fit is the dense logistic regression it replaced (session 32)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from agents.triage.levels import Level
from bench import train_triage
from bench.train_triage import LEVELS, Example, fit


def _dense_weights(train: list[Example], l2: float) -> dict[str, tuple[float, ...]]:
    """The trainer's arithmetic before session 32, with the design matrix dense."""
    counts = Counter(f for e in train for f in e.features)
    vocab = sorted(f for f, n in counts.items() if n >= train_triage.MIN_COUNT or f == "bias")
    index = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(train), len(vocab)))
    for row, e in enumerate(train):
        for f in e.features:
            if f in index:
                x[row, index[f]] = 1.0
    y = np.eye(len(LEVELS))[[LEVELS.index(e.label) for e in train]]
    w = np.zeros((len(vocab), len(LEVELS)))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, train_triage.EPOCHS + 1):
        z = x @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (x.T @ (p - y) + l2 * w) / len(train)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= train_triage.STEP * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return {f: tuple(round(float(a), 4) for a in w[i]) for f, i in index.items() if np.abs(w[i]).max() >= 0.001}


def _cases(n: int) -> list[Example]:
    rng = np.random.default_rng(7)
    words = [f"s:w{i}" for i in range(60)]
    out = []
    for k in range(n):
        label = LEVELS[k % len(LEVELS)]
        # each level leans on its own words, so the fit has something to learn; some words are rare (< MIN_COUNT)
        own = [words[(LEVELS.index(label) * 10 + j) % 60] for j in rng.choice(10, size=3, replace=False)]
        noise = [words[i] for i in rng.choice(60, size=4, replace=False)]
        feats = tuple(sorted({"bias", *own, *noise, f"s:rare{k}"}))
        out.append(Example(f"X-{k}", Level(label), None, feats))
    return out


def test_the_sparse_fit_gives_the_dense_regressions_weights() -> None:
    train = _cases(200)
    model = fit(train, l2=train_triage.L2)
    assert model.weights == _dense_weights(train, train_triage.L2)
    assert not any(f.startswith("s:rare") for f in model.weights)  # seen once: below MIN_COUNT, never a feature


def test_the_fit_learns_each_levels_words() -> None:
    train = _cases(200)
    model = fit(train)
    for level in LEVELS:
        own = f"s:w{LEVELS.index(level) * 10}"
        weights = model.weights[own]
        assert max(range(len(LEVELS)), key=weights.__getitem__) == LEVELS.index(level)
