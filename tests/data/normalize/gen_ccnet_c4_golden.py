#!/usr/bin/env python3
"""Writes ccnet_golden.jsonl and c4_golden.jsonl over golden_inputs.inputs().

cc_net is not on PyPI, so `normalize_for_dedup` is re-implemented here from
cc_net/text_normalizer.py (facebookresearch/cc_net): strip, lower, each `\\d`
to 0, then one regex removing its UNICODE_PUNCT keys and U+0000..U+001F,
U+007F..U+009F. C4's line key is `line.strip().lower()` (TFDS c4_utils).

    python3 tests/data/normalize/gen_ccnet_c4_golden.py
"""
import re
import sys

import golden_inputs

REMOVE_RE = re.compile(
    "["
    + re.escape(golden_inputs.CJK_PUNCT)
    + "".join(re.escape(chr(cp)) for cp in list(range(0, 32)) + list(range(127, 160)))
    + "]"
)
DIGIT_RE = re.compile(r"\d")


def ccnet_normalize_for_dedup(line):
    line = line.strip()
    if not line:
        return line
    line = line.lower()
    line = DIGIT_RE.sub("0", line)
    return REMOVE_RE.sub("", line)


def c4_key(line):
    return line.strip().lower()


py = f"Python {sys.version.split()[0]}"
golden_inputs.write_golden(
    golden_inputs.HERE / "ccnet_golden.jsonl",
    ccnet_normalize_for_dedup,
    f"cc_net normalize_for_dedup, re-implemented, {py}",
)
golden_inputs.write_golden(golden_inputs.HERE / "c4_golden.jsonl", c4_key, f"strip().lower(), {py}")

# Every character that Python's str.lower() changes, to pin the per-character
# mapping (the tables above only sample it).
with open(golden_inputs.HERE / "python_lower.tsv", "w", encoding="utf-8") as f:
    f.write(f"# code point, then the code points of its str.lower(), {py}\n")
    for cp in range(0x110000):
        c = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or c.lower() == c:
            continue
        f.write(f"{cp:04X}\t{' '.join(f'{ord(x):04X}' for x in c.lower())}\n")
