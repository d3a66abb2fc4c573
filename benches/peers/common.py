"""Tokenization, shingling and paragraph normalization shared by every peer job
and by the planted-truth computation.

Keeping them in one module is what makes the comparison fair: the peers differ
only in how they hash and index, never in what they consider a word or a
paragraph, and the "true" Jaccard used for recall is computed on exactly the
shingles the peers see.
"""

import gzip
import json
import re

NGRAM = 5  # word 5-grams (textdedup's document-level MinHash default)
NUM_PERM = 128  # permutations (textdedup's default)
THRESHOLD = 0.8  # LSH threshold of job 1
MIN_CHARS = 10  # textdedup never flags a segment with fewer letters/digits

# "Strip punctuation" = delete every character that is neither a word
# character (Unicode letter, digit, underscore) nor white space. Deleting
# (rather than replacing with a space) keeps "don't" and "U.S." one word.
_NON_WORD = re.compile(r"[^\w\s]+")
_ALNUM = re.compile(r"[^\W_]")


def words(text):
    """Lowercase, strip punctuation, split on white space."""
    return _NON_WORD.sub("", text.lower()).split()


def shingles(text, n=NGRAM):
    """The set of word n-grams of `text`, each joined by one space.

    A document with fewer than n words (but at least one) is a single shingle
    of all its words, so short documents can still match; an empty document
    has no shingles and is never queried or indexed by any peer.
    """
    w = words(text)
    if len(w) < n:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i : i + n]) for i in range(len(w) - n + 1)}


def normalize_paragraph(par):
    """Job 2 key: lowercase, strip punctuation, collapse white space."""
    return " ".join(words(par))


def paragraphs(text):
    """Job 2 segments: every non-blank line, as cc_net does (and as
    textdedup's line paragraphs do), skipping lines with fewer than
    MIN_CHARS letters or digits, which textdedup never flags."""
    for line in text.split("\n"):
        if len(_ALNUM.findall(line)) >= MIN_CHARS:
            yield line


def open_text(path):
    return gzip.open(path, "rt", encoding="utf-8") if str(path).endswith(".gz") else open(path, encoding="utf-8")


def read_texts(path):
    """Yield the `text` field of every record, in input order."""
    with open_text(path) as f:
        for line in f:
            if line.strip():
                yield json.loads(line).get("text") or ""
