"""Record and compare the *conclusions* of consolidation runs, to prove a refactor changed no behaviour.

`record` runs `python -m pipeline consolidate` on one inbox (twice, to check the outputs are byte-identical
on re-run) and reads only what the run wrote: manifest.json, the consolidated workbook and the feedback
workbooks. It imports nothing from the pipeline, so the same script works with any version of the code.
`compare` diffs two such records; `all` / `compare-all` do it for the fixed inboxes under /tmp/conclusions.

    python scripts/compare_conclusions.py all --python .venv/bin/python --code . --label after
    python scripts/compare_conclusions.py compare-all
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl

ROOT = Path("/tmp/conclusions")
YEAR = "2018-2019"
INBOXES = {"demo": None, "synthetic300": ROOT / "configs" / "synthetic300", "faults": None, "faults2": None}
FINDING_COLUMNS = {"file": "Tệp", "unit": "Mã đơn vị", "severity": "Mức độ", "rule": "Mã lỗi", "cell": "Ô",
                   "column": "Cột", "found": "Gặp", "expected": "Cần (lỗi) / đã hiểu (cảnh báo)"}
NOMINATION_COLUMNS = {"file": "Tệp", "row": "Dòng", "unit": "Mã đơn vị", "eligible": "Đạt điều kiện",
                      "score": "Điểm", "class": "Xếp loại", "rank": "Hạng", "nominated": "Đề nghị biểu dương",
                      "reason": "Lý do không đủ điều kiện"}
NAME_COLUMN = {"Tập thể": "Tên tập thể", "Cá nhân": "Họ và tên"}
FAILING = ["run", "statuses", "findings", "nominations", "submissions", "feedback", "rerun"]


def plain(value: Any) -> Any:
    """A cell value JSON can hold (dates as ISO text)."""
    return value.isoformat() if isinstance(value, dt.date | dt.datetime | dt.time) else value


def sheet_rows(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook as lists of plain values, trailing empty rows dropped."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {ws.title: [[plain(v) for v in row] for row in ws.iter_rows(values_only=True)]
                  for ws in workbook.worksheets}
    finally:
        workbook.close()
    for rows in sheets.values():
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
    return sheets


def records(rows: list[list[Any]], columns: dict[str, str]) -> list[dict[str, Any]]:
    """Rows 2.. as {key: value}, columns found by their header text in row 1 (a missing header is marked)."""
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    where = {key: header.index(text) if text in header else None for key, text in columns.items()}
    return [{key: (row[i] if i is not None and i < len(row) else "<no column>") for key, i in where.items()}
            for row in rows[1:]]


def hashes(outbox: Path) -> dict[str, str]:
    return {p.relative_to(outbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(outbox.rglob("*")) if p.is_file()}


def consolidate(python: str, code: Path, module: str, config: Path, year: str, inbox: Path,
                outbox: Path) -> dict[str, Any]:
    """One run in a subprocess whose `import pipeline` comes from ``code`` (checked, not assumed)."""
    if outbox.exists() and any(outbox.iterdir()):
        sys.exit(f"{outbox} is not empty; give a fresh outbox")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(code), *filter(None, [os.environ.get("PYTHONPATH")])]))
    where = subprocess.run([python, "-c", f"import {module}; print({module}.__file__)"], cwd=code, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not Path(where).resolve().is_relative_to(code.resolve()):
        sys.exit(f"{python} imports {module} from {where}, not from {code}")
    done = subprocess.run([python, "-m", module, "consolidate", "--year", year, "--config", str(config),
                           "--inbox", str(inbox), "--outbox", str(outbox)], cwd=code, env=env,
                          capture_output=True, text=True)
    stdout = done.stdout.replace(str(outbox), "<OUTBOX>").replace(str(inbox), "<INBOX>")
    return {"returncode": done.returncode, "stdout": stdout.splitlines(), "imported_from": where,
            "stderr": done.stderr.splitlines()}


def record(args: argparse.Namespace) -> None:
    code, inbox, outbox = Path(args.code).resolve(), Path(args.inbox), Path(args.outbox)
    rerun_box = outbox.with_name(outbox.name + "-rerun")
    run = consolidate(args.python, code, args.module, Path(args.config), args.year, inbox, outbox)
    consolidate(args.python, code, args.module, Path(args.config), args.year, inbox, rerun_box)
    out = outbox / args.year
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    book = sheet_rows(out / f"TongHop_DienHinh_{args.year}.xlsx")
    nominations: list[dict[str, Any]] = []
    for title, rows in book.items():
        kind = title.split(" (")[0]  # "Tập thể (2)" continues "Tập thể"
        if kind in NAME_COLUMN and (title == kind or title.endswith(")")):
            nominations += [dict(r, kind=kind, sheet=title) for r in
                            records(rows, dict(NOMINATION_COLUMNS, name=NAME_COLUMN[kind]))]
    feedback = {p.name: sheet_rows(p).get("Lỗi và cảnh báo") for p in sorted((out / "phan_hoi").glob("*.xlsx"))}
    first, second = hashes(outbox), hashes(rerun_box)
    differing = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    result = {
        "run": {k: run[k] for k in ("returncode", "stdout")}, "imported_from": run["imported_from"],
        "stderr": run["stderr"], "totals": manifest.get("totals"),
        "statuses": {f["path"]: {k: f.get(k) for k in ("unit", "status", "errors", "warnings", "reason")}
                     for f in manifest["files"]},
        "findings": records(book.get("Lỗi và cảnh báo", []), FINDING_COLUMNS), "nominations": nominations,
        "submissions": book.get("Tình hình nộp", []), "feedback": feedback,
        "rerun": {"identical": not differing, "differing": differing}, "hashes": first,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, sort_keys=True, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{args.out}: {summary_counts(result)}, returncode {run['returncode']}, "
          f"re-run identical: {'yes' if not differing else 'NO ' + str(differing[:5])}")


def summary_counts(r: dict[str, Any]) -> str:
    return f"{len(r['statuses'])} files, {len(r['findings'])} findings, {len(r['nominations'])} nominations"


def by_file(findings: list[dict[str, Any]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for f in findings:
        grouped.setdefault(str(f["file"]), []).append(json.dumps(f, sort_keys=True, ensure_ascii=False))
    return grouped


def list_diff(name: str, a: list[str], b: list[str]) -> list[str]:
    """Order-sensitive difference of two lists of lines, as -/+ lines."""
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            out += [f"{name}: - {x}" for x in a[i1:i2]] + [f"{name}: + {x}" for x in b[j1:j2]]
    return out


def section_diffs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, list[str]]:
    diffs: dict[str, list[str]] = {}
    diffs["run"] = [f"{k}: {a['run'][k]!r} → {b['run'][k]!r}" for k in a["run"] if a["run"][k] != b["run"].get(k)]
    sa, sb = a["statuses"], b["statuses"]
    diffs["statuses"] = [f"{p}: {sa.get(p)} → {sb.get(p)}" for p in sorted(sa.keys() | sb.keys())
                         if sa.get(p) != sb.get(p)]
    if a["totals"] != b["totals"]:
        diffs["statuses"].append(f"totals: {a['totals']} → {b['totals']}")
    fa, fb = by_file(a["findings"]), by_file(b["findings"])
    diffs["findings"] = [d for f in sorted(fa.keys() | fb.keys()) for d in list_diff(f, fa.get(f, []), fb.get(f, []))]
    if not diffs["findings"] and a["findings"] != b["findings"]:
        diffs["findings"].append("same findings per file, but the files come in another order")
    key = ("kind", "file", "row")
    na = {tuple(n[k] for k in key): n for n in a["nominations"]}
    nb = {tuple(n[k] for k in key): n for n in b["nominations"]}
    diffs["nominations"] = [f"{k}: " + ", ".join(f"{f} {na[k].get(f)!r} → {nb[k].get(f)!r}" for f in sorted(
        na[k].keys() | nb[k].keys()) if na[k].get(f) != nb[k].get(f)) if k in na and k in nb else
        f"{k}: {'removed' if k in na else 'added'}" for k in sorted(na.keys() | nb.keys(), key=str)
        if na.get(k) != nb.get(k)]
    if len(na) != len(a["nominations"]) or len(nb) != len(b["nominations"]):
        diffs["nominations"].append("some nominations share (kind, file, row): compare the records by hand")
    if not diffs["nominations"] and list(na) != list(nb):
        diffs["nominations"].append("same nominations, but in another row order")
    dump = lambda rows: [json.dumps(r, ensure_ascii=False) for r in rows or []]  # noqa: E731
    diffs["submissions"] = list_diff("Tình hình nộp", dump(a["submissions"]), dump(b["submissions"]))
    ka, kb = a["feedback"], b["feedback"]
    diffs["feedback"] = [d for f in sorted(ka.keys() | kb.keys()) for d in (
        [f"{f}: {'removed' if f in ka else 'added'}"] if (f in ka) != (f in kb) else
        list_diff(f, dump(ka[f]), dump(kb[f])))]
    diffs["rerun"] = [f"outputs differ between two runs of the same code: {b['rerun']['differing'][:20]}"
                      ] if not b["rerun"]["identical"] else []
    ha, hb = a["hashes"], b["hashes"]
    diffs["hashes"] = [f"{p}: {'differs' if p in ha and p in hb else 'only in ' + ('A' if p in ha else 'B')}"
                       for p in sorted(ha.keys() | hb.keys()) if ha.get(p) != hb.get(p)]
    return diffs


def compare(path_a: Path, path_b: Path, label: str) -> bool:
    """Print the differences of two records and a summary line; True when the conclusions are identical."""
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (path_a, path_b))
    diffs = section_diffs(a, b)
    for section, lines in diffs.items():
        note = " (not counted: outputs may carry the tool version)" if section == "hashes" else ""
        print(f"[{label}] {section}: " + (f"{len(lines)} differences{note}" if lines else "identical"))
        for line in lines[:20]:
            print(f"    {line}")
    n = {k: len(v) for k, v in diffs.items()}
    print(f"{label}: {summary_counts(a)} — statuses {n['statuses']} diff, findings {n['findings']} diff, "
          f"scores/classes/ranks {n['nominations']} diff, submissions {n['submissions']} diff, feedback "
          f"{n['feedback']} diff, run {n['run']} diff, output hashes {n['hashes']} differ, "
          f"re-run identical: {'yes' if a['rerun']['identical'] and b['rerun']['identical'] else 'NO'}")
    return not any(diffs[s] for s in FAILING) and a["rerun"]["identical"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("record", "all"):
        p = sub.add_parser(name)
        p.add_argument("--python", required=True, help="interpreter with the pipeline's dependencies")
        p.add_argument("--code", required=True, help="directory holding the pipeline package to run")
        p.add_argument("--module", default="pipeline")
    rec = sub.choices["record"]
    for option in ("--config", "--inbox", "--outbox", "--out"):
        rec.add_argument(option, required=True)
    rec.add_argument("--year", default=YEAR)
    sub.choices["all"].add_argument("--label", required=True, help="before or after")
    cmp = sub.add_parser("compare")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    sub.add_parser("compare-all")
    args = parser.parse_args()
    if args.command == "record":
        record(args)
    elif args.command == "all":
        base = ROOT / args.label
        for name, config in INBOXES.items():
            for box in (base / f"outbox-{name}", base / f"outbox-{name}-rerun"):
                shutil.rmtree(box, ignore_errors=True)
            record(argparse.Namespace(
                python=args.python, code=args.code, module=args.module, year=YEAR, inbox=ROOT / "inboxes" / name,
                config=config or Path(args.code).resolve() / "config", outbox=base / f"outbox-{name}",
                out=base / f"{name}.json"))
    elif args.command == "compare":
        return 0 if compare(args.a, args.b, args.a.stem) else 1
    else:
        names = sorted(p.stem for p in (ROOT / "before").glob("*.json"))
        missing = [n for n in names if not (ROOT / "after" / f"{n}.json").exists()]
        if missing or not names:
            sys.exit(f"nothing to compare: no {ROOT}/before/*.json, or no after record for {missing}")
        ok = [compare(ROOT / "before" / f"{n}.json", ROOT / "after" / f"{n}.json", n) for n in names]
        return 0 if names and all(ok) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
