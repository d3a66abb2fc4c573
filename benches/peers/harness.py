"""Side-by-side benchmark of textdedup against datasketch, rensa, gaoya and a
cc_net-style Python set. Run through run.sh, which makes the virtual
environment; see README.md beside this file for what each job does.

Every job runs as its own process under /usr/bin/time -v, one after another in
this one invocation, so the ratios compare runs made under the same machine
load (the absolute numbers are noisy on a shared 2-core machine).
"""

import argparse
import datetime
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import THRESHOLD, open_text, shingles  # noqa: E402

REPO = HERE.parent.parent
DEFAULT_INPUT = REPO.parent / "shared/data/corpora/news_web_en.jsonl.gz"
TIME = "/usr/bin/time"
NO_CLI = "textdedup CLI not available: build with cargo build --release --features cli"

JOB_NAMES = {"minhash": "doc MinHash-LSH 0.8", "exact": "paragraph exact"}
# Which peers do which job, and with how many processes. gaoya hashes inside
# its index calls, so with 2 processes only the tokenizing moves to a worker.
PEERS = {
    "minhash": [("datasketch", (1, 2)), ("rensa", (1, 2)), ("gaoya", (1, 2))],
    "exact": [("ccnet", (1, 2))],
}
PEER_LABEL = {"ccnet": "cc_net-style set (xxh64)"}


# ------------------------------------------------------------------ corpus
def prepare_corpus(src, dst, max_docs):
    """Decompress the first max_docs records to a plain JSONL work copy, so
    every tool reads the same bytes and none pays for gzip. Records without a
    unique `id` get one, because textdedup reports duplicates by id."""
    records, seen = [], set()
    with open_text(src) as f:
        for line in f:
            if not line.strip():
                continue
            if max_docs and len(records) >= max_docs:
                break
            r = json.loads(line)
            r["text"] = r.get("text") or ""
            if not isinstance(r.get("id"), (str, int)) or r["id"] in seen:
                r["id"] = f"doc-{len(records)}"
            seen.add(r["id"])
            records.append(r)
    write_jsonl(dst, records)
    return records


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def text_mb(records):
    return sum(len(r["text"].encode("utf-8")) for r in records) / 1e6


# ----------------------------------------------------------------- planted
def edit_text(text, rng, vocab, rate):
    """Apply about `rate` word edits per word (at least one): each edit is a
    substitution, deletion or insertion, chosen uniformly. Edits are made on
    the raw text, keeping its white space, so the copy still looks like a
    document (line structure and all)."""
    parts = re.findall(r"\S+|\s+", text)
    word_pos = [k for k, p in enumerate(parts) if not p.isspace()]
    n_edits = min(len(word_pos), max(1, round(len(word_pos) * rate)))
    for k in rng.sample(word_pos, n_edits):
        op = rng.randrange(3)
        if op == 0:
            parts[k] = rng.choice(vocab)
        elif op == 1:
            parts[k] = ""
        else:
            parts[k] = parts[k] + " " + rng.choice(vocab)
    return "".join(parts)


def make_planted(records, frac, seed, lo, hi):
    """A copy of the corpus where `frac` of the documents (those with at least
    one word) get one edited copy, inserted at a random place after the
    source. Returns the new records and [(copy_idx, src_idx)] in new indices."""
    rng = random.Random(seed)
    # Replacement words come from the corpus itself, so edits are plausible.
    vocab = [w for r in records[:2000] for w in r["text"].split()] or ["lorem"]
    eligible = [i for i, r in enumerate(records) if r["text"].split()]
    sources = sorted(rng.sample(eligible, round(len(records) * frac)))
    after = {}  # original index -> copies to place right after it
    for s in sources:
        rate = rng.uniform(lo, hi) / 100
        copy = dict(records[s], id=f"{records[s]['id']}~planted", text=edit_text(records[s]["text"], rng, vocab, rate))
        after.setdefault(rng.randrange(s, len(records)), []).append((s, copy))
    out, new_idx, pending = [], {}, []
    for i, r in enumerate(records):
        new_idx[i] = len(out)
        out.append(r)
        for s, copy in after.get(i, []):
            pending.append((len(out), s))
            out.append(copy)
    return out, [(c, new_idx[s]) for c, s in pending]


class Jaccard:
    """Exact word-5-gram Jaccard with the jobs' tokenization, cached."""

    def __init__(self, records):
        self.records, self.cache = records, {}

    def sh(self, i):
        if i not in self.cache:
            self.cache[i] = shingles(self.records[i]["text"])
        return self.cache[i]

    def __call__(self, a, b):
        x, y = self.sh(a), self.sh(b)
        return len(x & y) / len(x | y) if x or y else 1.0


# -------------------------------------------------------------------- runs
def timed(cmd, label, workdir):
    """Run cmd under /usr/bin/time -v; return (ok, wall_s, peak_rss_mb)."""
    tfile = workdir / f"{label}.time"
    t0 = time.perf_counter()
    p = subprocess.run([TIME, "-v", "-o", str(tfile), *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        return False, p.stderr[-2000:], None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tfile.read_text())
    return True, wall, int(m.group(1)) / 1024 if m else None


def run_peer(tool, job, procs, corpus, workdir, label):
    out = workdir / f"{label}.json"
    cmd = [sys.executable, str(HERE / "peer_jobs.py"), tool, job, "--procs", str(procs), "--input", str(corpus), "--out", str(out)]
    ok, wall, rss = timed(cmd, label, workdir)
    if not ok:
        print(f"  {tool} {job} x{procs} FAILED:\n{wall}", file=sys.stderr)
        return None
    res = json.loads(out.read_text())
    return {"wall": wall, "rss": rss, "duplicates": res["duplicates"], "pairs": [tuple(p) for p in res.get("pairs", [])]}


class Textdedup:
    """The textdedup CLI side; every failure degrades to n/a cells."""

    def __init__(self, binary, preset, extra):
        self.binary, self.preset, self.extra = Path(binary), preset, extra
        self.available = self.binary.is_file() and os.access(self.binary, os.X_OK)
        if not self.available:
            print(f"{NO_CLI} (no executable at {self.binary})")

    def cmd(self, job, threads, corpus, out):
        if job == "minhash":
            # 128 permutations and word 5-grams are the CLI's document-level defaults.
            args = ["--level", "document", "--method", "minhash", "--threshold", str(THRESHOLD)]
        else:
            args = ["--level", "paragraph", "--method", "exact", "--preset", self.preset]
        return [str(self.binary), "dedup", *args, "--threads", str(threads), "--annotate-only", *self.extra, str(corpus), "-o", str(out)]

    def run(self, job, threads, corpus, records, workdir, label):
        if not self.available:
            return None
        out = workdir / f"{label}.jsonl"
        ok, wall, rss = timed(self.cmd(job, threads, corpus, out), label, workdir)
        if not ok:
            print(f"{NO_CLI} (the command failed: {' '.join(self.cmd(job, threads, corpus, out))})\n{wall}")
            return None
        try:
            dups, pairs = self.parse(out, job, records)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"{NO_CLI} (could not read its output {out}: {e!r})")
            return None
        return {"wall": wall, "rss": rss, "duplicates": dups, "pairs": pairs}

    @staticmethod
    def parse(out, job, records):
        """Job 1: a document with a duplicates entry of level "document" is a
        duplicate of of.id. Job 2: count the entries of level "paragraph"."""
        index = {r["id"]: i for i, r in enumerate(records)}
        pairs, n_par = [], 0
        with open(out, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if not line.strip():
                    continue
                for d in json.loads(line).get("duplicates") or []:
                    if d.get("level") == "document":
                        pairs.append((i, index[d["of"]["id"]]))
                        break
                    if d.get("level") == "paragraph":
                        n_par += 1
        return (len(pairs), pairs) if job == "minhash" else (n_par, [])


# ----------------------------------------------------------------- metrics
def recall_row(pairs, planted, jac):
    """Recall on planted pairs with true J >= THRESHOLD. A planted copy counts
    as found when the tool flags it as a duplicate of its source, of the kept
    document the tool itself matched the source to, or of any document whose
    true Jaccard with the copy is >= THRESHOLD (a correct catch all the same).
    Unplanted pairs: reported pairs whose duplicate is an original document,
    i.e. duplicates already in the corpus (with how many truly have J >= 0.8)."""
    of = dict(pairs)
    copies = {c for c, _ in planted}
    eligible = [(c, s) for c, s in planted if jac(c, s) >= THRESHOLD]
    found = sum(1 for c, s in eligible if c in of and (of[c] == s or of[c] == of.get(s) or jac(c, of[c]) >= THRESHOLD))
    unplanted = [(d, o) for d, o in pairs if d not in copies]
    true_unplanted = sum(1 for d, o in unplanted if jac(d, o) >= THRESHOLD)
    return found, len(eligible), len(unplanted), true_unplanted


def fmt(x, nd=1):
    return "n/a" if x is None else f"{x:.{nd}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", nargs="?", default=str(DEFAULT_INPUT), help="JSONL or JSONL.gz with a `text` field (default: %(default)s)")
    ap.add_argument("--max-docs", type=int, default=0, help="use only the first N documents (default: all)")
    ap.add_argument("--seed", type=int, default=6, help="seed of the planted copy")
    ap.add_argument("--planted-frac", type=float, default=0.10, help="fraction of documents given an edited copy")
    ap.add_argument("--edits", default="0.5:2.5", help="range of word edits per 100 words, drawn per copy (default %(default)s)")
    ap.add_argument("--jobs", default="minhash,exact", help="comma list of: minhash, exact")
    ap.add_argument("--tools", default="textdedup,datasketch,rensa,gaoya,ccnet", help="comma list of tools to run")
    ap.add_argument("--repeat", type=int, default=1, help="run the speed table R times, keep each row's fastest (default: %(default)s)")
    ap.add_argument("--no-recall", action="store_true", help="skip the planted-copy recall runs")
    ap.add_argument("--textdedup", default=str(REPO / "target/release/textdedup"), help="textdedup binary")
    ap.add_argument("--preset", default="default", help="textdedup --preset for the paragraph job (default: %(default)s)")
    ap.add_argument("--textdedup-args", default="", help="extra arguments appended to every textdedup command")
    ap.add_argument("--work-dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "textdedup-peers"))
    ap.add_argument("--out", default=str(REPO / "target/peers/results.md"))
    a = ap.parse_args()

    # The load before we start tells a reader how busy the shared machine was.
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    jobs = [j for j in a.jobs.split(",") if j]
    tools = set(a.tools.split(","))
    lo, hi = map(float, a.edits.split(":"))
    workdir = Path(a.work_dir)
    workdir.mkdir(parents=True, exist_ok=True)

    print(f"corpus: {a.input}" + (f" (first {a.max_docs} docs)" if a.max_docs else ""))
    corpus = workdir / "corpus.jsonl"
    records = prepare_corpus(a.input, corpus, a.max_docs)
    mb = text_mb(records)
    print(f"  {len(records)} docs, {mb:.1f} MB of text (the MB in MB/s)")

    td = Textdedup(a.textdedup, a.preset, a.textdedup_args.split()) if "textdedup" in tools else None

    # ------------------------------------------------ speed / memory table
    configs = []  # (tool, job, threads) in run order: textdedup next to its peers
    for job in jobs:
        for threads in (1, 2):
            if td:
                configs.append(("textdedup", job, threads))
            configs += [(tool, job, threads) for tool, procs in PEERS[job] if tool in tools and threads in procs]
    # With --repeat R the whole sequence runs R times (interleaved, so every
    # tool sees the same spells of load) and each row keeps its fastest run:
    # on a shared machine the noise only ever adds time.
    best = {}
    for rep in range(a.repeat):
        for tool, job, threads in configs:
            print(f"run {tool} {job} x{threads}" + (f" (round {rep + 1}/{a.repeat})" if a.repeat > 1 else ""))
            label = f"{tool}-{job}-{threads}"
            if tool == "textdedup":
                r = td.run(job, threads, corpus, records, workdir, label)
            else:
                r = run_peer(tool, job, threads, corpus, workdir, label)
            key = (tool, job, threads)
            if r and (best.get(key) is None or r["wall"] < best[key]["wall"]):
                best[key] = r
            best.setdefault(key, None)
    rows = [(*key, best[key]) for key in configs]

    def td_wall(job, threads):
        for t, j, n, r in rows:
            if t == "textdedup" and j == job and n == threads and r:
                return r["wall"]
        return None

    lines = [
        "| tool | job | threads | wall s | MB/s per core | peak RSS MB | duplicates found | textdedup speed ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for tool, job, threads, r in rows:
        tw = td_wall(job, threads)
        ratio = "1.00" if tool == "textdedup" and r else (f"{r['wall'] / tw:.2f}x" if r and tw else "n/a")
        mbs = mb / r["wall"] / threads if r else None
        dups = str(r["duplicates"]) if r else "n/a"
        lines.append(f"| {PEER_LABEL.get(tool, tool)} | {JOB_NAMES[job]} | {threads} | {fmt(r and r['wall'], 2)} | {fmt(mbs, 2)} | {fmt(r and r['rss'])} | {dups} | {ratio} |")
    lines.append("")
    lines.append("textdedup speed ratio = peer wall time / textdedup wall time at the same thread count, same run (>1: textdedup is faster)"
                 + (f"; each row the fastest of {a.repeat} interleaved rounds." if a.repeat > 1 else "."))
    for job in jobs:
        for tool, procs in PEERS[job]:
            if tool in tools and 2 not in procs:
                lines.append(f"{tool}: no 2-process row (not natural for this tool, see README).")
    speed_md = "\n".join(lines)

    # ---------------------------------------------------------- recall table
    recall_md = ""
    if "minhash" in jobs and not a.no_recall:
        print("planted copy: building")
        planted_recs, planted = make_planted(records, a.planted_frac, a.seed, lo, hi)
        pcorpus = workdir / "planted.jsonl"
        write_jsonl(pcorpus, planted_recs)
        jac = Jaccard(planted_recs)
        js = [jac(c, s) for c, s in planted]
        n_hi = sum(j >= THRESHOLD for j in js)
        print(f"  {len(planted)} planted pairs, {n_hi} with true J >= {THRESHOLD}")
        rec_lines = [
            f"| tool | recall on planted pairs with J >= {THRESHOLD} | unplanted pairs reported (true J >= {THRESHOLD}) |",
            "| --- | ---: | ---: |",
        ]
        runners = []
        if td:
            runners.append(("textdedup", lambda: td.run("minhash", 1, pcorpus, planted_recs, workdir, "textdedup-planted")))
        for tool, _ in PEERS["minhash"]:
            if tool in tools:
                runners.append((tool, lambda t=tool: run_peer(t, "minhash", 1, pcorpus, workdir, f"{t}-planted")))
        for tool, fn in runners:
            print(f"run {tool} on the planted copy")
            r = fn()
            if r is None:
                rec_lines.append(f"| {tool} | n/a | n/a |")
                continue
            found, total, unpl, unpl_true = recall_row(r["pairs"], planted, jac)
            rec_lines.append(f"| {tool} | {found / total:.3f} ({found}/{total}) | {unpl} ({unpl_true}) |")
        rec_lines += [
            "",
            f"Planted copy: {len(planted_recs)} docs = {len(records)} + {len(planted)} edited copies "
            f"(seed {a.seed}, {lo}-{hi} word edits per 100 words); {n_hi} of the {len(planted)} planted pairs "
            f"have true word-5-gram Jaccard >= {THRESHOLD} (min {min(js):.2f}, median {sorted(js)[len(js) // 2]:.2f}).",
        ]
        recall_md = "\n".join(rec_lines)

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"## Peer benchmark, {when}\n\n"
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}, load average at start {load}. "
        f"Corpus: {Path(a.input).name}, {len(records)} docs, {mb:.1f} MB of text.\n"
    )
    report = header + "\n" + speed_md + "\n" + ("\n" + recall_md + "\n" if recall_md else "")
    print("\n" + report)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(report)
    print(f"written to {a.out}")


if __name__ == "__main__":
    main()
