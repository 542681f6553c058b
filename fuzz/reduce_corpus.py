#!/usr/bin/env python3
"""Shrinks a fuzz target's corpus to the hand-written seeds plus a small edge cover.

`cargo fuzz cmin` keeps every input that adds a libFuzzer feature (edge hit counts, in size
order), which for the decoding targets still leaves hundreds of files. This script measures the
edges each file covers on its own (libFuzzer merge with -use_counters=0, one file at a time),
keeps every `seed-*` file, then greedily adds the found file that covers the most edges not
yet covered, until nothing new is covered or MAX_FOUND files were added. Everything else is
deleted.

    cargo +nightly fuzz build <target>
    python3 reduce_corpus.py <target> [MAX_FOUND]

Run it from fuzz/, after `cargo +nightly fuzz cmin <target>` and `python3 make_seeds.py`.
"""

import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def edges(binary, corpus, names):
    """The union of the edges the given corpus files cover."""
    with tempfile.TemporaryDirectory() as tmp:
        out, inp = pathlib.Path(tmp, "out"), pathlib.Path(tmp, "in")
        out.mkdir()
        inp.mkdir()
        for name in names:
            os.link(corpus / name, inp / name)
        control = pathlib.Path(tmp, "control")
        subprocess.run(
            [binary, "-merge=1", "-use_counters=0", f"-merge_control_file={control}", out, inp],
            capture_output=True,
            check=False,
        )
        found = set()
        for line in control.read_text().splitlines():
            parts = line.split()
            if parts and parts[0] == "FT":
                found.update(map(int, parts[2:]))
        return found


def main():
    target = sys.argv[1]
    max_found = int(sys.argv[2]) if len(sys.argv) > 2 else 175
    binary = HERE / "target" / "x86_64-unknown-linux-gnu" / "release" / target
    corpus = HERE / "corpus" / target
    files = sorted(p.name for p in corpus.iterdir() if p.is_file())
    seeds = [f for f in files if f.startswith("seed-")]
    covered = edges(binary, corpus, seeds) if seeds else set()
    found = {f: edges(binary, corpus, [f]) - covered for f in files if f not in seeds}
    chosen = []
    while len(chosen) < max_found:
        best = max(
            (f for f in found if f not in chosen),
            key=lambda f: (len(found[f] - covered), -(corpus / f).stat().st_size),
            default=None,
        )
        if best is None or not found[best] - covered:
            break
        covered |= found[best]
        chosen.append(best)
    for f in found:
        if f not in chosen:
            (corpus / f).unlink()
    print(f"{target}: {len(covered)} edges; kept {len(seeds)} seeds + {len(chosen)} of {len(found)} found files")


if __name__ == "__main__":
    main()
