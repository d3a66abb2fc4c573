"""One peer job, run as its own process so that /usr/bin/time measures its
wall time and peak RSS alone:

    python peer_jobs.py TOOL JOB --procs N --input CORPUS.jsonl --out RESULT.json

TOOL/JOB: datasketch|rensa|gaoya with job `minhash` (document-level MinHash,
128 permutations, word 5-grams, LSH at 0.8), or `ccnet` with job `exact`
(paragraph exact dedup with a Python set of xxh64 hashes).

Semantics mirror textdedup's streaming dedup: documents are processed in input
order; a document is a duplicate when the LSH index returns a candidate among
the earlier KEPT documents; only kept documents are inserted. With --procs 2
the per-document work (tokenizing + hashing) runs in a multiprocessing Pool of
2, and the index is still queried and built sequentially in input order, so the
result is identical to --procs 1.
"""

import argparse
import json
import multiprocessing as mp
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import NUM_PERM, THRESHOLD, normalize_paragraph, paragraphs, read_texts, shingles  # noqa: E402

# Pool chunk size: large enough that IPC per document is amortised, small
# enough that the sequential consumer is never starved for long.
CHUNK = 64

# ---------------------------------------------------------------- datasketch
_DS_PERMS = None
DS_SCHEME = "affine32"  # datasketch 2.x default


def ds_sig(text):
    """datasketch MinHash with its defaults: sha1_hash32, seed 1, scheme
    "affine32" (datasketch >= 2.0). The permutations are generated once and
    passed in: datasketch's documented way to avoid re-drawing them for every
    document (the scheme must then be named explicitly)."""
    global _DS_PERMS
    from datasketch import MinHash

    sh = shingles(text)
    if not sh:
        return None
    if _DS_PERMS is None:
        _DS_PERMS = MinHash(num_perm=NUM_PERM).permutations
    m = MinHash(num_perm=NUM_PERM, permutations=_DS_PERMS, scheme=DS_SCHEME)
    m.update_batch([s.encode("utf-8") for s in sh])
    return m.hashvalues  # a numpy array pickles cheaply back from a worker


class DatasketchIndex:
    def __init__(self):
        from datasketch import LeanMinHash, MinHashLSH

        # datasketch picks bands x rows itself from the threshold: (9, 13).
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.lean = LeanMinHash

    def query_or_insert(self, key, hv):
        m = self.lean(seed=1, hashvalues=hv, scheme=DS_SCHEME)
        cands = self.lsh.query(m)
        if cands:
            return min(cands)
        self.lsh.insert(key, m)
        return None


# --------------------------------------------------------------------- rensa
RENSA_SEED = 42
RENSA_BANDS = 16  # 16 bands x 8 rows, as in rensa's README LSH example


def rensa_sig(text):
    from rensa import RMinHash

    sh = shingles(text)
    if not sh:
        return None
    m = RMinHash(num_perm=NUM_PERM, seed=RENSA_SEED)
    m.update(list(sh))
    return m  # RMinHash is picklable


class RensaIndex:
    def __init__(self):
        from rensa import RMinHashLSH

        self.lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=RENSA_BANDS)

    def query_or_insert(self, key, m):
        cands = self.lsh.query(m)
        if cands:
            return min(cands)
        self.lsh.insert(key, m)
        return None


# --------------------------------------------------------------------- gaoya
def gaoya_sig(text):
    """gaoya hashes inside its index calls, so the only per-document work that
    can move to a worker is tokenizing into the shingle list."""
    sh = shingles(text)
    return list(sh) if sh else None


class GaoyaIndex:
    def __init__(self):
        from gaoya.minhash import MinHashStringIndex

        # num_hashes=128 and the threshold: gaoya picks bands x rows from its
        # S-curve (21 x 6 = 126 hashes). The analyzer is never called (we use
        # the *_tokens methods with our shingles) but must be callable so the
        # index expects pre-tokenized input.
        self.idx = MinHashStringIndex(
            hash_size=32,
            jaccard_threshold=THRESHOLD,
            num_bands=None,
            band_size=None,
            num_hashes=NUM_PERM,
            analyzer=shingles,
        ).minhash_index

    def query_or_insert(self, key, tokens):
        # gaoya's query filters candidates by their estimated Jaccard >=
        # threshold. Its Python API has no "insert this signature" call, so a
        # kept document is hashed twice (query, then insert): that is the cost
        # of using gaoya this way, and it is measured as such.
        cands = self.idx.query_tokens(tokens)
        if cands:
            return min(cands)
        self.idx.insert_tokens(key, tokens)
        return None


MINHASH_TOOLS = {
    "datasketch": (ds_sig, DatasketchIndex),
    "rensa": (rensa_sig, RensaIndex),
    "gaoya": (gaoya_sig, GaoyaIndex),
}


# -------------------------------------------------------------------- ccnet
def ccnet_hashes(text):
    import xxhash

    return [xxhash.xxh64_intdigest(normalize_paragraph(p).encode("utf-8")) for p in paragraphs(text)]


def mapped(fn, texts, procs):
    """fn over texts in input order, in this process or a Pool of `procs`."""
    if procs == 1:
        yield from map(fn, texts)
        return
    with mp.get_context("fork").Pool(procs) as pool:
        yield from pool.imap(fn, texts, chunksize=CHUNK)


def run_minhash(tool, path, procs):
    sig_fn, index_cls = MINHASH_TOOLS[tool]
    index = index_cls()
    pairs = []
    n = 0
    for i, sig in enumerate(mapped(sig_fn, read_texts(path), procs)):
        n += 1
        if sig is None:  # no words: never a duplicate, never indexed
            continue
        of = index.query_or_insert(i, sig)
        if of is not None:
            pairs.append([i, of])
    return {"docs": n, "duplicates": len(pairs), "pairs": pairs}


def run_ccnet(path, procs):
    seen = set()
    n = dups = pars = 0
    for hs in mapped(ccnet_hashes, read_texts(path), procs):
        n += 1
        for h in hs:
            pars += 1
            if h in seen:
                dups += 1
            else:
                seen.add(h)
    return {"docs": n, "paragraphs": pars, "duplicates": dups}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tool", choices=[*MINHASH_TOOLS, "ccnet"])
    ap.add_argument("job", choices=["minhash", "exact"])
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--input", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if (a.tool == "ccnet") != (a.job == "exact"):
        ap.error("job 'exact' is for tool 'ccnet' only; 'minhash' for the MinHash tools")
    res = run_ccnet(a.input, a.procs) if a.job == "exact" else run_minhash(a.tool, a.input, a.procs)
    res.update(tool=a.tool, job=a.job, procs=a.procs)
    with open(a.out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
