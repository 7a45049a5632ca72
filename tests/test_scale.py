"""What keeps cost and memory flat at scale gives the same answers as the plain way."""
from __future__ import annotations

import numpy as np

from newsfold.dedup import CopyDetector
from newsfold.embed import HashedEmbedder, get_embedder
from newsfold.link import _BLOCK, _matvec


def _near_copies(rng: np.random.Generator, n: int) -> list[str]:
    words = [f"w{i}" for i in range(400)]
    base = [" ".join(rng.choice(words, 60)) for _ in range(n // 4)]
    out = []
    for i in range(n):
        toks = base[i % len(base)].split()
        for _ in range(int(rng.integers(0, 12))):  # a few words changed: some near copies, some not
            toks[int(rng.integers(0, len(toks)))] = str(rng.choice(words))
        out.append(" ".join(toks))
    return out


def test_copy_candidates_are_datasketch_lsh_candidates() -> None:
    """The compact LSH index finds exactly the originals datasketch's MinHashLSH (same bands) finds."""
    from datasketch import LeanMinHash, MinHashLSH

    rng = np.random.default_rng(3)
    det = CopyDetector()
    lsh = MinHashLSH(threshold=det.threshold, num_perm=det.num_perm)
    sigs = {}
    for i, text in enumerate(_near_copies(rng, 240)):
        sig = det.signature(text)
        lean = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
        expected = set(lsh.query(lean)) if sigs else set()
        match = det.find(f"h{i}", sig)
        passing = {c: float(np.mean(sigs[c] == sig)) for c in expected}
        passing = {c: s for c, s in passing.items() if s >= det.threshold}
        if not passing:
            assert match is None
            det.add(f"a{i:03d}", f"h{i}", sig)
            lsh.insert(f"a{i:03d}", lean)
            sigs[f"a{i:03d}"] = sig
        else:
            best = max(passing.values())
            assert match is not None and match.similarity == best
            assert match.original_id == min(c for c, s in passing.items() if s == best)  # ties: the earliest
    assert 20 < len(sigs) < 240  # the case has both copies and originals


def test_exact_copy_matches_first_original() -> None:
    det = CopyDetector()
    sig = det.signature("one two three four five six seven")
    det.add("a", "h", sig)
    det.add("a", "h", sig)  # adding twice changes nothing
    assert det.find("h", sig).original_id == "a"  # type: ignore[union-attr]
    assert det.find("other", sig).original_id == "a"  # type: ignore[union-attr]
    assert len(det._ids) == 1


def test_blocked_matvec_equals_one_product() -> None:
    rng = np.random.default_rng(0)
    for n in (1, _BLOCK, _BLOCK + 1, 3 * _BLOCK + 17):
        m = rng.standard_normal((n, 64)).astype(np.float32)
        v = rng.standard_normal(64).astype(np.float32)
        if n <= _BLOCK:
            assert np.array_equal(_matvec(m, v), m @ v)
        else:
            np.testing.assert_allclose(_matvec(m, v), m @ v, rtol=0, atol=1e-5)


def test_hashed_embedder_is_deterministic_and_normalised() -> None:
    emb = get_embedder("hash-bow")
    assert isinstance(emb, HashedEmbedder) and emb.name == "hash-bow"
    texts = ["Floods close the main bridge in Talvik.", "", "Floods close the main bridge in Talvik."]
    a = emb.encode(texts)
    b = HashedEmbedder().encode(list(reversed(texts)))
    assert a.shape == (3, emb.dim) and a.dtype == np.float32
    assert np.array_equal(a, b[::-1])  # same text, same vector, whatever the batch
    assert np.array_equal(a[0], a[2]) and not a[1].any()
    assert abs(float(np.linalg.norm(a[0])) - 1.0) < 1e-6
    near, far = emb.encode(["The bridge in Talvik closed after floods.", "Central bank raises interest rates."])
    assert float(a[0] @ near) > float(a[0] @ far)
