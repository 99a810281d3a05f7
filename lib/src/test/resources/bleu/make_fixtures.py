#!/usr/bin/env python3
"""Writes bleu_fixtures.json beside this script: inputs and the values sacreBLEU and NLTK compute for them.

Pinned (the Java tests compare against exactly these releases):
    sacrebleu==2.6.0
    nltk==3.10.4

Run it in a throwaway venv, never in the project's:
    python3 -m venv /tmp/venv-bleu
    /tmp/venv-bleu/bin/pip install sacrebleu==2.6.0 nltk==3.10.4
    /tmp/venv-bleu/bin/python lib/src/test/resources/bleu/make_fixtures.py

Every text below is written for these fixtures (no corpus text is copied in). The output is ASCII
JSON (non-ASCII characters as \\u escapes) so that odd whitespace and emoji survive any editor.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import warnings
from importlib.metadata import version

import sacrebleu
from nltk.translate.bleu_score import brevity_penalty, closest_ref_length, corpus_bleu
from sacrebleu.metrics import BLEU
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

PINS = {"sacrebleu": "2.6.0", "nltk": "3.10.4"}

for name, pinned in PINS.items():
    if version(name) != pinned:
        sys.exit(f"make_fixtures.py: {name} {version(name)} is installed but {pinned} is pinned")

# (hypothesis, [references]) pairs, one reference each; grouped into corpora below.
PAIRS = [
    ("The cat sat on the mat.", ["The cat is sitting on the mat."]),
    ("It's the U.S. economy, isn't it?", ["It is the U.S. economy, is it not?"]),
    ("It costs $5.00, or 1,000 yen.", ["The price is $5.00 (about 1,000 yen)."]),
    ("A well-known state-of-the-art model from 2019-2020.", ["A well known, state of the art model (2019\u20132020)."]),
    ('"Hello," she said.', ["\u201cHello\u201d, she said."]),
    ("He said &quot;no&quot; &amp; left &lt;quietly&gt;.", ['He said "no" & left <quietly>.']),
    ("\u00c7a va tr\u00e8s bien, merci.", ["\u00c7a va bien, merci beaucoup."]),
    ("\u6211\u559c\u6b22\u81ea\u7136\u8bed\u8a00\u5904\u7406\u3002", ["\u6211 \u559c\u6b22 \u81ea\u7136 \u8bed\u8a00 \u5904\u7406 \u3002"]),
    ("I love it \U0001F600!!", ["I love it \U0001F600 !"]),
    ("THE QUICK BROWN FOX jumps", ["the quick brown fox jumps"]),
    ("completely unrelated words here", ["nothing in common at all"]),
    ("this hypothesis goes on and on and on far longer than the short reference does",
     ["a short reference"]),
    ("too short", ["this reference is quite a lot longer than the hypothesis is"]),
    ("Yes", ["Yes"]),
    ("No.", ["Yes."]),
    ("", ["Something was expected here."]),
    ("Something with no reference.", [""]),
    ("  leading and   trailing  \t", ["leading and trailing"]),
    ("a\u00a0b c\u3000d e\u2009f g\u200bh", ["a b c d e f g h"]),
    ("e.g. etc... pi is 3.14 and a.b,c or 1.5,2", ["e.g. etc. pi is 3.14 and a.b, c or 1.5, 2"]),
    ("end of a tokenized sentence .", ["end of a tokenized sentence."]),
    ("path/to/file [x] {y} <z> a|b ~ ^ _ ` @ # % * + = ; :", ["path / to / file [ x ] { y } < z > a | b"]),
    ("pages 10-20, 3-4pm, -5 and x-ray", ["pages 10 - 20, 3 - 4pm, - 5 and x-ray"]),
    ("\u039f\u0394\u039f\u03a3 \u039a\u0391\u039b\u039f\u03a3", ["\u03bf\u03b4\u03bf\u03c2 \u03ba\u03b1\u03bb\u03bf\u03c2"]),
    ("\u0130stanbul and \u00c5ngstr\u00f6m STRASSE", ["istanbul and \u00e5ngstr\u00f6m strasse"]),
    ("a <skipped> segment", ["a segment"]),
    ("Mr. O'Neil's co-op costs \u20ac1.000,50!", ["Mr. O'Neil's co-op costs \u20ac 1.000,50 !"]),
    ("one two three four five", ["one two three four five"]),
    ("the the the the the the the", ["the cat is on the mat"]),
    ("tab\tseparated\x0bvertical\x0cfeed\x1cfs\x85nel\u2028ls", ["tab separated vertical feed fs nel ls"]),
]

MULTI_REF = [
    ("the cat is on the mat", ["there is a cat on the mat", "the cat sits on the mat", "a cat is on the mat"]),
    ("one two three four five", ["one two three four", "one two three four five six"]),  # tie in distance: the shorter wins
    ("It's 5.00 o'clock, isn't it?", ["It is five o'clock, is it not?", "It's 5.00 o'clock, right?"]),
    ("short", ["a much longer reference sentence", "short one"]),
    ("The U.S. team won 3-1.", ["The U.S. team won 3 - 1.", "The American team won, 3-1."]),
    ("", ["empty hypotheses still count", "twice"]),
]

# Segments whose second reference is missing (None): sacreBLEU reports nrefs:var.
VAR_REFS = [
    ("a b c d e", ["a b c d e", None]),
    ("the quick brown fox", ["the fast brown fox", "a quick brown fox"]),
    ("jumps over it", ["jumped over it", None]),
]

ZERO_MATCH = [
    ("alpha beta gamma", ["delta epsilon"]),
    ("zeta eta", ["theta iota kappa lambda"]),
]

# Unigrams match, no 3-gram or 4-gram does: exp smoothing in sacreBLEU, the float minimum in NLTK.
LOW_ORDER_ONLY = [
    ("red green blue yellow", ["blue red yellow green"]),
    ("one fish two fish", ["two fish one fish red"]),
]

SHORT = [
    ("hi", ["hi"]),
    ("ok then", ["ok then"]),
    ("yes", ["no"]),
    ("a b c", ["a b c"]),
]

WORDS = ("the a of and to in is that it was for on are as with his they at be this from "
         "have or by one had not but what all were when we there can an your which their "
         "said if do will each about how up out them then she many some so these would "
         "other into has more her two like him see time could no make than first been its "
         "who now people my made over did down only way find use may water long little very "
         "after words called just where most know caf\u00e9 na\u00efve \u00fcber \u5927\u5b66 "
         "U.S. it's don't $3.50 1,200 well-being e-mail (x) \"quoted\" ? ! , . ; :").split()


def random_corpus(seed, n):
    rng = random.Random(seed)
    hyps, refs1, refs2 = [], [], []
    for _ in range(n):
        ref = [rng.choice(WORDS) for _ in range(rng.randint(0, 30))]

        def perturb(words, p):
            out = []
            for w in words:
                r = rng.random()
                if r < p:
                    continue
                if r < 2 * p:
                    out.append(rng.choice(WORDS))
                elif r < 3 * p:
                    out.extend([w, rng.choice(WORDS)])
                else:
                    out.append(w)
            return out

        hyps.append(" ".join(perturb(ref, 0.12)))
        refs1.append(" ".join(ref))
        refs2.append(" ".join(perturb(ref, 0.2)))
    return [(h, [r1, r2]) for h, r1, r2 in zip(hyps, refs1, refs2)]


CORPORA = {
    "mixed": PAIRS,
    "multi_ref": MULTI_REF,
    "var_refs": VAR_REFS,
    "zero_match": ZERO_MATCH,
    "low_order_only": LOW_ORDER_ONLY,
    "short": SHORT,
    "identical": [(r[0], [r[0]]) for _, r in PAIRS if r[0]],
    "random": random_corpus(20240601, 400),
}

# Corpus-level settings beyond the two defaults (13a and none).
CORPUS_CONFIGS = [
    {"tokenize": "13a", "lowercase": False, "smooth_method": "exp", "smooth_value": None, "effective_order": False},
    {"tokenize": "none", "lowercase": False, "smooth_method": "exp", "smooth_value": None, "effective_order": False},
    {"tokenize": "13a", "lowercase": True, "smooth_method": "exp", "smooth_value": None, "effective_order": False},
    {"tokenize": "13a", "lowercase": False, "smooth_method": "none", "smooth_value": None, "effective_order": False},
    {"tokenize": "13a", "lowercase": False, "smooth_method": "floor", "smooth_value": None, "effective_order": False},
    {"tokenize": "none", "lowercase": False, "smooth_method": "floor", "smooth_value": 0.25, "effective_order": True},
    {"tokenize": "13a", "lowercase": False, "smooth_method": "add-k", "smooth_value": None, "effective_order": False},
    {"tokenize": "13a", "lowercase": False, "smooth_method": "exp", "smooth_value": None, "effective_order": True},
]

SENTENCE_CONFIGS = [
    {"tokenize": "13a", "lowercase": False},
    {"tokenize": "none", "lowercase": False},
    {"tokenize": "13a", "lowercase": True},
]


def bleu_record(score):
    return {
        "score": score.score,
        "counts": [int(c) for c in score.counts],
        "totals": [int(t) for t in score.totals],
        "precisions": list(score.precisions),
        "bp": score.bp,
        "sys_len": score.sys_len,
        "ref_len": score.ref_len,
    }


def nltk_record(segments):
    refs = [[r.split() for r in rs if r is not None] for _, rs in segments]
    hyps = [h.split() for h, _ in segments]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = corpus_bleu(refs, hyps)
    hyp_len = sum(len(h) for h in hyps)
    ref_len = sum(closest_ref_length(r, len(h)) for r, h in zip(refs, hyps))
    return {
        "score": float(value),
        "bp": float(brevity_penalty(ref_len, hyp_len)),
        "hyp_len": hyp_len,
        "ref_len": ref_len,
        "warnings": len(caught),
    }


# Corpora also scored through sacreBLEU's command line (files with one segment per line, text output).
CLI_CORPORA = ("mixed", "random")


def cli_output(hyps, streams, tok):
    """What `sacrebleu REF... -i HYP -f text -tok TOK` prints (its default width of 1 decimal)."""
    with tempfile.TemporaryDirectory() as d:
        def write(name, lines):
            path = os.path.join(d, name)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write("".join(line + "\n" for line in lines))
            return path

        hyp = write("hyp.txt", hyps)
        refs = [write(f"ref{i}.txt", stream) for i, stream in enumerate(streams)]
        done = subprocess.run([sys.executable, "-m", "sacrebleu", *refs, "-i", hyp, "-f", "text", "-tok", tok],
                              capture_output=True, text=True, check=True)
    return {"tokenize": tok, "stdout": done.stdout}


def to_json(value, indent=""):
    """Indented JSON in which every value that fits on a short line stays on one line (smaller diffs)."""
    flat = json.dumps(value, ensure_ascii=True)
    if len(flat) <= 160 or not isinstance(value, (dict, list)) or not value:
        return flat
    inner = indent + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {to_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return "[\n" + ",\n".join(inner + to_json(v, inner) for v in value) + "\n" + indent + "]"


def main():
    out = {"versions": dict(PINS, python=sys.version.split()[0]), "corpora": [], "tokenizer_13a": []}
    tok = Tokenizer13a()
    seen = set()
    for name, segments in CORPORA.items():
        hyps = [h for h, _ in segments]
        nrefs = max(len(rs) for _, rs in segments)
        streams = [[rs[i] if i < len(rs) else None for _, rs in segments] for i in range(nrefs)]
        corpus = {"name": name, "hyps": hyps, "refs": streams, "corpus": [], "sentence": [], "nltk": nltk_record(segments)}
        for cfg in CORPUS_CONFIGS:
            bleu = BLEU(**cfg)
            score = bleu.corpus_score(hyps, streams)
            signature = str(bleu.get_signature())
            corpus["corpus"].append(dict(config=cfg, signature=signature, text=score.format(signature=signature), **bleu_record(score)))
        for cfg in SENTENCE_CONFIGS:
            per_segment = []
            for h, rs in segments:
                present = [r for r in rs if r is not None]
                score = sacrebleu.sentence_bleu(h, present, **cfg)
                per_segment.append(bleu_record(score))
            # sentence_bleu's signature: the same settings with effective order on and one segment scored.
            bleu = BLEU(effective_order=True, **cfg)
            bleu.sentence_score(segments[0][0], [r for r in segments[0][1] if r is not None])
            corpus["sentence"].append({"config": cfg, "signature": str(bleu.get_signature()), "segments": per_segment})
        if name in CLI_CORPORA:
            corpus["cli"] = [cli_output(hyps, streams, tok) for tok in ("13a", "none")]
        out["corpora"].append(corpus)
        if name != "random":
            for h, rs in segments:
                for line in [h] + [r for r in rs if r is not None]:
                    if line not in seen:
                        seen.add(line)
                        out["tokenizer_13a"].append({"line": line, "tokens": tok(line.rstrip())})
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bleu_fixtures.json")
    tmp = target + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(to_json(out) + "\n")
    os.replace(tmp, target)
    print(f"wrote {target}: {len(out['corpora'])} corpora, "
          f"{sum(len(c['hyps']) for c in out['corpora'])} segments, {len(out['tokenizer_13a'])} tokenizer lines")


if __name__ == "__main__":
    main()
