#!/usr/bin/env python3
"""Generates docs/reliability.md from the fault matrix's results.

Every cell of tests/reliability/fault_matrix_test.cpp writes one JSON line,
<row>__<scope>.json, into a results directory. This script lists the cells the
matrix binary defines (--gtest_list_tests), reads their lines, fills the
template (tests/reliability/reliability.md.in) with the matrix table and, when
given, the soak figures (livegui-soak --json), and writes the markdown. It
exits 1 when a cell is missing or failed (the file is written anyway, with
those cells marked), 2 on usage errors. Standard library only.

  tools/reliability_table.py --results build/tests/reliability/results \\
      --matrix build/tests/reliability/reliability_matrix --out build/docs/reliability.md \\
      [--soak soak.json] [--template tests/reliability/reliability.md.in] [--command TEXT]
"""

import argparse
import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TEMPLATE = os.path.join(HERE, "..", "tests", "reliability", "reliability.md.in")
SCOPES = ("file", "session")


def list_cells(matrix):
    """(row, scope) pairs in the matrix binary's order."""
    try:
        out = subprocess.run([matrix, "--gtest_list_tests"], check=True, capture_output=True, text=True,
                             timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as e:
        sys.exit(f"reliability_table.py: listing the cells of {matrix} failed: {e}")
    cells = []
    for line in out.splitlines():
        if not line.startswith("  "):
            continue
        name = line.split("#")[0].strip()  # "Cell/assert_file"
        param = name.split("/", 1)[-1]
        row, _, scope = param.rpartition("_")
        if row and scope in SCOPES:
            cells.append((row, scope))
    if not cells:
        sys.exit(f"reliability_table.py: {matrix} lists no matrix cells")
    return cells


def read_cell(results, row, scope):
    path = os.path.join(results, f"{row}__{scope}.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.loads(f.readline())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        return {"row": row, "scope": scope, "passed": False, "observed": f"unreadable result line: {e}"}


def md(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def matrix_table(cells, results):
    lines = ["| # | fault | group | scope | expected | observed | left | result |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    bad = []
    notes = []
    total_wall = 0.0
    seen_rows = []
    for row, scope in cells:
        if row not in seen_rows:
            seen_rows.append(row)
        c = read_cell(results, row, scope)
        if c is None:
            bad.append(f"{row} × {scope}: missing (the cell did not run or did not finish)")
            lines.append(f"| {len(seen_rows)} | `{row}` |  | {scope} |  | **missing** |  | **MISSING** |")
            continue
        total_wall += float(c.get("wall_s", 0.0))
        ok = bool(c.get("passed"))
        if not ok:
            bad.append(f"{row} × {scope}: failed ({c.get('observed', '')})")
        left = c.get("leftovers")
        left = "?" if left is None else str(left)
        fault = f"`{row}`: {md(c.get('fault', ''))}" if scope == "file" else f"`{row}`"
        lines.append(f"| {len(seen_rows)} | {fault} | {md(c.get('group', ''))} | {scope} | "
                     f"{md(c.get('expected', ''))} | {md(c.get('observed', ''))} | {left} | "
                     f"{'pass' if ok else '**FAIL**'} ({float(c.get('wall_s', 0.0)):.1f} s) |")
        for n in c.get("notes") or []:
            notes.append(f"- `{row}` × {scope}: {md(n)}")
    summary = (f"{len(cells)} cells ({len(seen_rows)} rows × {len(SCOPES)} scopes): "
               f"{len(cells) - len(bad)} passed, {len(bad)} missing or failed; "
               f"{total_wall:.0f} s of cell time in total.")
    return "\n".join(lines), summary, notes, bad


def soak_section(path):
    if not path:
        return "(no soak figures were given to the generator)"
    try:
        with open(path, encoding="utf-8") as f:
            s = json.load(f)
    except (OSError, ValueError) as e:
        return f"(the soak figures in {path} are unreadable: {e})"
    faults = ", ".join(f"{k} {v}" for k, v in sorted(s.get("faults", {}).items()))
    rows = [
        ("cycles", s.get("cycles")),
        ("faults injected", faults),
        ("respawns done", s.get("respawns")),
        ("failures", s.get("failures")),
        ("leaked processes (sum over the checks after every respawn / after the final stop)",
         f"{s['leaked']['total']} over {s['leaked']['checks']} checks / {s['leaked']['after_stop']}"),
        ("open fds: after cycle 1 → after the last cycle (drift)",
         f"{s['fds']['start']} → {s['fds']['end']} ({s['fds']['drift']:+d}); {s['fds']['before_first_spawn']} "
         f"before the first spawn"),
        ("RSS KiB: after cycle 1 → after the last cycle (drift)",
         f"{s['rss_kb']['start']} → {s['rss_kb']['end']} ({s['rss_kb']['drift']:+d})"),
        ("respawn time p50 / p99 / max (detection → new AUT ready)",
         f"{s['respawn_ms']['p50']:.1f} ms / {s['respawn_ms']['p99']:.1f} ms / {s['respawn_ms']['max']:.1f} ms"),
        ("respawn time p50 / p99 by the fault it recovers from",
         "; ".join(f"{k} {v['p50']:.1f} / {v['p99']:.1f} ms"
                   for k, v in sorted(s.get("respawn_ms_after", {}).items()))),
        ("wall time", f"{s.get('wall_s', 0):.0f} s"),
        ("verdict", "ok" if s.get("ok") else "FAILED"),
    ]
    out = ["| figure | value |", "| --- | --- |"] + [f"| {md(k)} | {md(v)} |" for k, v in rows]
    for m in s.get("failure_messages") or []:
        out.append(f"\n- failure: {md(m)}")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description="Generate docs/reliability.md from the fault-matrix results.")
    ap.add_argument("--results", required=True, help="directory of <row>__<scope>.json lines")
    ap.add_argument("--matrix", required=True, help="the reliability_matrix binary (lists the cells)")
    ap.add_argument("--out", required=True, help="markdown file to write")
    ap.add_argument("--soak", help="livegui-soak --json output to include")
    ap.add_argument("--template", default=DEFAULT_TEMPLATE)
    ap.add_argument("--command", help="how this run was made, for the header")
    args = ap.parse_args()

    cells = list_cells(args.matrix)
    table, summary, notes, bad = matrix_table(cells, args.results)
    try:
        with open(args.template, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        sys.exit(f"reliability_table.py: cannot read the template {args.template}: {e}")
    command = args.command or ("tools/reliability_table.py --results " + args.results + " --matrix " + args.matrix
                               + (" --soak " + args.soak if args.soak else "") + " --out " + args.out)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = (text.replace("@GENERATED@", f"Generated on {stamp} by `{command}` from a real run; do not edit "
                                        f"by hand — rerun it.")
            .replace("@SUMMARY@", summary)
            .replace("@MATRIX@", table)
            .replace("@NOTES@", "\n".join(notes) if notes else "(none)")
            .replace("@SOAK@", soak_section(args.soak)))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.out)
    for b in bad:
        print(f"reliability_table.py: {b}", file=sys.stderr)
    print(f"reliability_table.py: wrote {args.out}: {summary}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
