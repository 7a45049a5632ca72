"""Exact and near copies: a hash of the folded text, then MinHash LSH over word shingles.

A copy is linked to its original (the earliest article it copies) and never costs an
embedding. Parameters are part of ``VERSION`` so a stored signature is never compared
with one made differently.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from . import text as T

SEED = 1


def _crc32(data: bytes) -> int:
    """32-bit shingle hash: CRC-32 is several times faster than SHA-1 and as good for MinHash."""
    return zlib.crc32(data)
SCHEME = "affine32"  # datasketch 2 permutation scheme; signatures are uint32


@dataclass(frozen=True)
class CopyMatch:
    original_id: str
    similarity: float  # estimated Jaccard of shingles; 1.0 for exact copies


class CopyDetector:
    """Finds the original an article copies. ``add`` it afterwards so later copies find it."""

    def __init__(self, threshold: float = 0.7, num_perm: int = 128, shingle_words: int = 5) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_words = shingle_words
        self.version = f"minhash-crc32-{SCHEME}-{num_perm}-w{shingle_words}-s{SEED}"
        self._lsh = None
        self._by_hash: dict[str, str] = {}
        self._sigs: dict[str, np.ndarray] = {}
        self._perms = None

    def _index(self):  # type: ignore[no-untyped-def]
        if self._lsh is None:
            from datasketch import MinHashLSH

            self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        return self._lsh

    def signature(self, text: str) -> np.ndarray:
        from datasketch import MinHash

        if self._perms is None:  # generating 128 permutations costs more than hashing one article
            self._perms = MinHash(num_perm=self.num_perm, seed=SEED, scheme=SCHEME).permutations
        toks = T.tokens(text)
        k = self.shingle_words
        shingles = {" ".join(toks[i : i + k]) for i in range(max(1, len(toks) - k + 1))}
        mh = MinHash(num_perm=self.num_perm, seed=SEED, hashfunc=_crc32, permutations=self._perms, scheme=SCHEME)
        mh.update_batch([s.encode("utf-8") for s in shingles])
        return mh.hashvalues.astype(np.uint32)

    def _lean(self, signature: np.ndarray):  # type: ignore[no-untyped-def]
        from datasketch import LeanMinHash

        return LeanMinHash(seed=SEED, hashvalues=signature, scheme=SCHEME)

    def find(self, content_hash: str, signature: np.ndarray) -> CopyMatch | None:
        exact = self._by_hash.get(content_hash)
        if exact is not None:
            return CopyMatch(exact, 1.0)
        if not self._sigs:
            return None
        best: CopyMatch | None = None
        for cand in self._index().query(self._lean(signature)):
            sim = float(np.mean(self._sigs[cand] == signature))
            if sim >= self.threshold and (best is None or sim > best.similarity):
                best = CopyMatch(cand, sim)
        return best

    def add(self, article_id: str, content_hash: str, signature: np.ndarray) -> None:
        """Index an original. Copies are not indexed: later copies match the original itself."""
        if article_id in self._sigs:
            return
        self._by_hash.setdefault(content_hash, article_id)
        self._sigs[article_id] = signature
        self._index().insert(article_id, self._lean(signature))
