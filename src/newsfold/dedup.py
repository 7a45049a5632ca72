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


_SIG_BLOCK = 65_536  # signatures per block of the signature store (no copying as it grows)


class CopyDetector:
    """Finds the original an article copies. ``add`` it afterwards so later copies find it.

    The LSH index has datasketch's bands (``MinHashLSH``'s choice of bands and rows for the
    threshold) but is kept compact, as it holds every original of the store: one dict per band
    from a 64-bit key of the band's slice to the original's number (a list when several share it),
    signatures in blocks of one uint32 matrix. About 1.5 KB per original instead of about 6 KB in
    datasketch's index. A candidate is an original sharing a band slice with the article (equal
    keys; a 64-bit collision would only add a candidate, which the similarity test then checks);
    the best similarity at or above the threshold wins, ties going to the earliest original, as in
    the Spark job's replay (``spark_tasks.replay_copies``).
    """

    def __init__(self, threshold: float = 0.7, num_perm: int = 128, shingle_words: int = 5) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_words = shingle_words
        self.version = f"minhash-crc32-{SCHEME}-{num_perm}-w{shingle_words}-s{SEED}"
        self._by_hash: dict[str, str] = {}
        self._ids: list[str] = []  # originals by number
        self._number: dict[str, int] = {}
        self._blocks: list[np.ndarray] = []  # signatures, _SIG_BLOCK rows a block
        self._tables: list[dict[int, int | list[int]]] | None = None
        self._bands = 0
        self._rows = 0
        self._mix: np.ndarray | None = None
        self._perms = None

    def _band_keys(self, signature: np.ndarray) -> list[int]:
        """One 64-bit key per band: a fixed random odd multiplier per position, summed modulo 2^64."""
        if self._tables is None:
            from datasketch.lsh import _optimal_param

            self._bands, self._rows = _optimal_param(self.threshold, self.num_perm, 0.5, 0.5)
            self._tables = [{} for _ in range(self._bands)]
            rng = np.random.default_rng(SEED)
            self._mix = rng.integers(0, 2**63, size=(self._bands, self._rows), dtype=np.uint64) * 2 + 1
        bands = signature[: self._bands * self._rows].astype(np.uint64).reshape(self._bands, self._rows)
        keys = (bands * self._mix).sum(axis=1)  # wraps modulo 2^64
        return keys.tolist()

    def _signature_of(self, number: int) -> np.ndarray:
        return self._blocks[number // _SIG_BLOCK][number % _SIG_BLOCK]

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

    def find(self, content_hash: str, signature: np.ndarray) -> CopyMatch | None:
        exact = self._by_hash.get(content_hash)
        if exact is not None:
            return CopyMatch(exact, 1.0)
        if not self._ids:
            return None
        found: set[int] = set()
        for key, table in zip(self._band_keys(signature), self._tables):  # type: ignore[arg-type]
            hit = table.get(key)
            if hit is not None:
                found.update(hit) if isinstance(hit, list) else found.add(hit)
        best: CopyMatch | None = None
        for number in sorted(found):
            sim = float(np.mean(self._signature_of(number) == signature))
            if sim >= self.threshold and (best is None or sim > best.similarity):
                best = CopyMatch(self._ids[number], sim)
        return best

    def add(self, article_id: str, content_hash: str, signature: np.ndarray) -> None:
        """Index an original. Copies are not indexed: later copies match the original itself."""
        if article_id in self._number:
            return
        self._by_hash.setdefault(content_hash, article_id)
        number = len(self._ids)
        self._ids.append(article_id)
        self._number[article_id] = number
        if number % _SIG_BLOCK == 0:
            self._blocks.append(np.zeros((_SIG_BLOCK, self.num_perm), dtype=np.uint32))
        self._blocks[-1][number % _SIG_BLOCK] = signature
        for key, table in zip(self._band_keys(signature), self._tables):  # type: ignore[arg-type]
            hit = table.get(key)
            if hit is None:
                table[key] = number
            elif isinstance(hit, list):
                hit.append(number)
            else:
                table[key] = [hit, number]
