"""Inputs shared by the golden generators in this folder.

Two parts: tricky cases written for this project, and a sample of lines of the
Universal Declaration of Human Rights (public domain), read from
../shared/data/unicode/udhr_multilingual.jsonl.gz beside the repository.
"""
import gzip
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
UDHR = HERE.parents[2] / ".." / "shared" / "data" / "unicode" / "udhr_multilingual.jsonl.gz"

# cc_net's UNICODE_PUNCT keys, which datatrove's PUNCTUATION also holds.
CJK_PUNCT = "，。、„”“«»１」「《》´∶：？！（）；–—．～’…━〈〉【】％►"

TRICKY = [
    "",
    " ",
    "Hello, World!",
    "  leading and trailing  ",
    "ﬁnance ﬂow ﬀ",
    "ＡＢＣ ｄｅｆ １２３",
    "“curly” ‘quotes’ vs \"straight\" 'quotes'",
    "non\u00a0breaking\u00a0space",
    "Straße STRASSE ẞ",
    "ΟΔΟΣ ΟΔΟΣ. Σ ΣΑ ΑΣ'Α ὈΔΥΣΣΕΎΣ",
    "ΑΣ\u0301 ΑΣ\u0301Β",
    "हिन्दी भाषा का इतिहास",
    "ภาษาไทย สวัสดีครับ",
    "اللُّغَةُ العَرَبِيَّةُ ١٢٣",
    "עִבְרִית",
    "中文，句号。顿号、【括号】「引号」",
    "emoji 😀👍🏽 ❤️ 🇫🇷 done",
    "1,234.5 and 3.14 and 1.2.3 and 10,5 and ٣٫١٤ and ۱۲",
    "Price: $1,000,000.00!",
    "tabs\tand\nnewlines\r\nand\x0bvt\x0cff",
    "\x1cinfo\x1dsep\x1e\x1f",
    "ctrl\x00\x01\x07\x7f\x80\x85\x9fend",
    "soft\u00adhyphen zero\u200bwidth zw\u200dj bidi\u200emark\u202b",
    "İstanbul ıi",
    "Ǆemal ǅ ǆ",
    "café cafe\u0301 CAFÉ",
    "naïve résumé Ångström",
    "Ελληνικά άέήίόύώ ΐΰ",
    "Русский язык ёЁ й",
    "한국어 텍스트",
    "日本語のテキスト　全角スペース",
    "ｶﾀｶﾅ ﾊﾟﾋﾟ",
    "x\u2028y\u2029z",
    "\u3000ideographic\u3000space\u3000",
    "state-of-the-art state of the art",
    "don’t don't",
    "e\u0301\u0301 a\u0308\u0304",
    "\u0301leading mark",
    "Ⅻ ① ㎏ ½ ²",
    "ǰ ŉ ẖ",
    "µ ſ ϐ ϑ",
    "Ꭰ ꭰ",
    "—dash–dash—",
    "…ellipsis…",
    "《书名》〈篇名〉",
    "％percent％",
    "►arrow",
    "a１b",
    "𝟏𝟐𝟑 𝐀𝐁𝐂",
    "\ufeffBOM at start",
    "0.5, .5, 5., 5,,5",
    "⎖1⎖2 1⎗2 1⎘2 1،2",
]


def contexts():
    """Each special character between letters, and at both ends."""
    out = []
    for c in CJK_PUNCT:
        out.append(f"a{c}b {c}x{c}")
    for cp in list(range(0, 0x21)) + list(range(0x7F, 0xA1)):
        c = chr(cp)
        out.append(f"a{c}b {c}x{c}")
    for cp in range(0x21, 0x7F):
        c = chr(cp)
        if not c.isalnum():
            out.append(f"a{c}b {c}x{c}")
    for c in "\u1680\u2000\u2005\u200a\u202f\u205f\u3000\u200b\u180e\u2060":
        out.append(f"a{c}b {c}x{c}")
    return out


def udhr_lines(per_doc=2, every=3, max_len=240):
    if not UDHR.exists():
        raise SystemExit(f"{UDHR} not found: the UDHR sample needs it")
    out = []
    with gzip.open(UDHR, "rt", encoding="utf-8") as f:
        docs = sorted((json.loads(line) for line in f), key=lambda d: d["id"])
    for doc in docs[::every]:
        taken = 0
        for line in doc["text"].splitlines():
            line = line.strip()
            if 20 <= len(line) <= max_len:
                out.append(line)
                taken += 1
                if taken == per_doc:
                    break
    return out


def inputs():
    return TRICKY + contexts() + udhr_lines()


def write_golden(path, fn, source):
    with open(path, "w", encoding="utf-8") as f:
        for text in inputs():
            row = {"input": text, "expected": fn(text), "source": source}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
