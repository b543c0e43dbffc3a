#!/usr/bin/env python3
"""Behaviour unchanged? Compare the reports of every scan the test suite makes, before and after a change.

    scripts/compare_reports.py [--base REF] [--keep DIR [--reuse-base]] [-- PYTEST_ARGS...]

Runs the test suite twice with the capture plugin (tests/capture_reports.py): once on the code of
REF (default: where this branch left main; taken with `git archive` into a folder) and once
on this work tree. Every scan of a test disk copy (image and fake targets; live scans are left out)
is saved as the JSON report in English and Spanish, the text report and the HTML report. Times,
digests, the temporary folders and the source folder are replaced by placeholders, then the two
runs are compared file by file. Exit 0 when all are the same, 1 otherwise (the differences are
printed).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?: UTC|Z|[+-]\d\d:\d\d)?")
TIME_KEYS = ("started", "finished", "digest")
# The local time beside a UTC time: "(15:05 Europe/Madrid)", or with its date when that differs (the
# time was replaced already): "(<time> Europe/Madrid)"; which one depends on the hour of the run.
LOCAL_TIME = re.compile(r"<time> \((?:\d\d:\d\d|<time>)(?: [^)]*)?\)")
# The evidence record an HTML report carries (base64 of the JSON, which is compared on its own).
RECORD = re.compile(r'(id="techcheck-record">)"[A-Za-z0-9+/=]+"')
# Times as people read them (the timeline, "first seen"): "2 December 2026, 02:46", "2 de diciembre de 2026, 02:46".
READABLE = re.compile(r"\b\d{1,2} (?:de )?[A-Za-zé]+ (?:de )?\d{4}, \d\d:\d\d(?: \(UTC[+-]?[\d:]*\))?")
MKDTEMP = re.compile(r"(/tmp/techcheck-[a-z]+-)[A-Za-z0-9_]{8}\b")  # tempfile.mkdtemp folders of tests


def run_capture(source: Path, out: Path, basetemp: Path, pytest_args: list[str]) -> int:
    # The plugin comes from this tree in both runs (the base revision may not have it).
    plugin_dir = basetemp.parent / "plugin"  # beside the temporary folder
    plugin_dir.mkdir(exist_ok=True)
    (plugin_dir / "techcheck_capture.py").write_bytes((HERE / "tests" / "capture_reports.py").read_bytes())
    env = {**os.environ, "TECHCHECK_CAPTURE": str(out), "PYTHONPATH": f"{source}{os.pathsep}{plugin_dir}"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "techcheck_capture", "-p", "no:cacheprovider",
           f"--basetemp={basetemp}", *pytest_args]
    done = subprocess.run(cmd, cwd=source, env=env, capture_output=True, text=True)
    tail = done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else ["(no output)"]
    print(f"  pytest in {source}: exit {done.returncode}: {tail[0]}")
    for line in done.stdout.splitlines():
        if line.startswith(("FAILED", "ERROR")):
            print("    " + line[:200])
    if done.returncode not in (0, 1):
        print(done.stdout[-3000:], done.stderr[-3000:])
    return done.returncode


def normalise(text: str, kind: str, replace: dict[str, str]) -> str:
    if kind.startswith("json"):
        model = json.loads(text)
        for key in TIME_KEYS:
            model.pop(key, None)
        model.get("evidence_record", {}).pop("created", None)
        text = json.dumps(model, indent=1, sort_keys=False, ensure_ascii=False)
    for old, new in replace.items():
        text = text.replace(old, new)
    text = RECORD.sub(r'\1"<record>"', MKDTEMP.sub(r"\1<random>", TIME.sub("<time>", text)))
    return READABLE.sub("<when>", LOCAL_TIME.sub("<time>", text))


def compare(base: Path, new: Path, replace_base: dict[str, str], replace_new: dict[str, str]) -> int:
    base_files = {p.name for p in base.iterdir()}
    new_files = {p.name for p in new.iterdir()}
    scans = {n.rsplit(".", 1)[0] for n in base_files | new_files}
    problems = 0
    for name in sorted(base_files - new_files):
        print(f"  only in base (a scan is gone): {name}")
        problems += 1
    added = {n.rsplit(".", 1)[0] for n in new_files - base_files}
    if added:
        print(f"  {len(added)} scans only in the new run (new tests): " + ", ".join(sorted(added))[:400])
    for name in sorted(base_files & new_files):
        kind = name.rsplit(".", 1)[1]
        a = normalise((base / name).read_text(encoding="utf-8", errors="surrogateescape"), kind, replace_base)
        b = normalise((new / name).read_text(encoding="utf-8", errors="surrogateescape"), kind, replace_new)
        if a != b:
            problems += 1
            print(f"  differs: {name}")
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "base", "new", lineterm="", n=1)
            for line in list(diff)[:40]:
                print("    " + line[:200])
    print(f"{len(scans)} scans, {len(base_files & new_files)} reports in both runs compared: "
          f"{'all the same' if not problems else f'{problems} differ'}")
    return 1 if problems else 0


def export(ref: str, dest: Path) -> None:
    data = subprocess.run(["git", "archive", ref], cwd=HERE, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="git revision to compare with (default: where this branch left main)")
    parser.add_argument("--keep", help="keep the captured reports in this folder")
    parser.add_argument("--reuse-base", action="store_true",
                        help="with --keep: take the base run's reports from an earlier run in that folder")
    parser.add_argument("--compare-only", action="store_true",
                        help="with --keep: compare the reports of both earlier runs again, without running tests")
    parser.add_argument("pytest_args", nargs="*", help="arguments for pytest (default: the whole suite)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="compare-reports-"))
    work.mkdir(parents=True, exist_ok=True)
    base = args.base or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=HERE, capture_output=True,
                                       text=True, check=True).stdout.strip()
    print(f"base: {base}")
    source = work / "base-source"
    if not source.exists():
        export(base, source)
    runs = {}
    # The same temporary folder for both runs: test files that hold their own path hash the same.
    tmp = work / "tmp"
    for label, tree in (("base", source), ("new", HERE)):
        out = work / f"{label}-reports"
        if (label == "base" and args.reuse_base or args.compare_only) and out.exists():
            print(f"  {label} reports reused from {out}")
            runs[label] = (out, {str(tmp): "<tmp>", str(tree): "<src>"})
            continue
        if out.exists():
            shutil.rmtree(out)
        if tmp.exists():
            shutil.rmtree(tmp)
        run_capture(tree, out, tmp, args.pytest_args)
        runs[label] = (out, {str(tmp): "<tmp>", str(tree): "<src>"})
    return compare(runs["base"][0], runs["new"][0], runs["base"][1], runs["new"][1])


if __name__ == "__main__":
    sys.exit(main())
