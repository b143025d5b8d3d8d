#!/usr/bin/env python3
"""Measures how far livegui-batch agrees with ctest and with GoogleTest itself.

Given a configured and built CMake tree whose ctest runs GoogleTest binaries
(GoogleTest's own suite, say), this script

1. asks ctest which tests it runs (`ctest --show-only=json-v1`) and keeps
   those whose command is a binary (not a Python or shell driver);
2. runs each binary once, as ctest would (same argv, cwd, ENVIRONMENT), with
   `--gtest_output=json:<file>`: GoogleTest's own verdict per test and its
   counts (tests, failures, skipped, disabled);
3. runs ctest on exactly those tests and livegui-batch on a plan of the same
   binaries, interleaved, `--rounds` times (wall time of each, medians);
4. compares, per binary, livegui-batch's entry verdict with ctest's, and per
   test livegui-batch's results.json and junit.xml with GoogleTest's JSON.

Every disagreement is printed; the exit code is 0 when everything agrees.
Standard library only. Re-run it with, e.g.:

    tools/gtest_agreement.py --build-dir /tmp/gtbuild \
        --batch build/batcher/livegui-batch --work /tmp/gtagree --rounds 3

Results (tables and every disagreement) go to stdout and <work>/summary.json.
Exit status: 0 when every verdict, every test and every count agrees in every
round; 1 when anything disagrees (each disagreement is listed, by kind:
verdict, test, counts); 2 on bad arguments. A binary for which GoogleTest
wrote no report (it crashed or never called RUN_ALL_TESTS()) is compared by
its verdict only, and its row says so. ctest itself writes its logs into the
build tree (Testing/Temporary/), as it always does; nothing else is written
outside <work>.
"""

import argparse
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

TIER = "gtest"


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def ctest_tests(build_dir):
    """The tests ctest runs whose command is a binary: name, argv, cwd, env."""
    out = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build_dir, check=True,
                         capture_output=True, text=True).stdout
    tests = []
    for t in json.loads(out).get("tests", []):
        cmd = t.get("command") or []
        if not cmd or not is_elf(cmd[0]):
            continue
        env, cwd = {}, build_dir
        for p in t.get("properties", []):
            if p["name"] == "ENVIRONMENT":
                for kv in p["value"]:
                    k, _, v = kv.partition("=")
                    env[k] = v
            elif p["name"] == "WORKING_DIRECTORY":
                cwd = p["value"]
        tests.append({"name": t["name"], "argv": cmd, "cwd": cwd, "env": env})
    return tests


def load_gtest_json(path):
    """GoogleTest's JSON report (1.12 drops a comma before NonTestSuiteFailure)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        try:
            return json.loads(text.replace("\n    }    {\n", "\n    },\n    {\n"))
        except ValueError:
            return None


def gtest_truth(test, work):
    """Runs the binary as ctest would, with --gtest_output=json: GoogleTest's own word."""
    report = os.path.join(work, "truth", test["name"] + ".json")
    os.makedirs(os.path.dirname(report), exist_ok=True)
    if os.path.exists(report):
        os.remove(report)
    env = dict(os.environ)
    env.update(test["env"])
    for k in ("GTEST_OUTPUT", "GTEST_FILTER", "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX"):
        env.pop(k, None)
    try:
        p = subprocess.run(test["argv"] + ["--gtest_output=json:" + report], cwd=test["cwd"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1500,
                           start_new_session=True)
        code = p.returncode
    except subprocess.TimeoutExpired:
        code = "timeout"
    doc = load_gtest_json(report)
    truth = {"exit": code, "report": doc is not None, "tests": [], "counts": None}
    if doc is None:
        return truth
    skipped = 0
    for suite in doc.get("testsuites", []):
        for t in suite.get("testsuite", []):
            if not t.get("name"):  # a failure outside any test: no test of its own
                continue
            name = suite["name"] + "." + t["name"]
            if t.get("status") == "NOTRUN" or t.get("result") == "SUPPRESSED":
                outcome = "DISABLED"
            elif t.get("failures"):
                outcome = "FAIL"
            elif t.get("result") == "SKIPPED":
                outcome = "SKIPPED"
                skipped += 1
            else:
                outcome = "PASS"
            truth["tests"].append((name, outcome))
    truth["counts"] = {"tests": doc.get("tests", 0), "failures": doc.get("failures", 0),
                       "disabled": doc.get("disabled", 0), "skipped": skipped}
    return truth


def toml_str(s):
    return json.dumps(s)  # a JSON string is a TOML basic string


def write_plan(tests, path):
    lines = ["[[tiers]]", 'name = "%s"' % TIER, 'timeout = "1500s"', ""]
    for t in tests:
        lines += ["[[tiers.entries]]",
                  "name = " + toml_str(t["name"]),
                  "executable = " + toml_str(t["argv"][0]),
                  'format = "gtest"']
        if len(t["argv"]) > 1:
            lines.append("args = [" + ", ".join(toml_str(a) for a in t["argv"][1:]) + "]")
        lines.append("cwd = " + toml_str(t["cwd"]))
        if t["env"]:
            lines.append("env = { " + ", ".join("%s = %s" % (toml_str(k), toml_str(v))
                                                 for k, v in sorted(t["env"].items())) + " }")
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def run_ctest(build_dir, names, junit, jobs):
    regex = "^(" + "|".join(re.escape(n) for n in names) + ")$"
    start = time.monotonic()
    subprocess.run(["ctest", "-R", regex, "-j", str(jobs), "--timeout", "1500", "--output-junit", junit],
                   cwd=build_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.monotonic() - start
    verdicts = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        verdicts[case.get("name")] = case.get("status") == "run"
    return took, verdicts


def run_batch(batch, plan, report_dir, jobs):
    shutil.rmtree(report_dir, ignore_errors=True)
    start = time.monotonic()
    p = subprocess.run([batch, plan, "--report-dir", report_dir, "-j", str(jobs)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.monotonic() - start
    with open(os.path.join(report_dir, "results.json")) as f:
        results = json.load(f)
    junit = ET.parse(os.path.join(report_dir, "junit.xml")).getroot()
    return took, p.returncode, results, junit


def livegui_outcome(t):
    """A livegui test result in GoogleTest's terms."""
    r = t["result"]
    if r == "SKIPPED":
        return "DISABLED" if t.get("disabled") else "SKIPPED"
    if r == "PASS":
        return "PASS"
    if r == "XFAIL" and "its own main() accepts" not in t.get("message", ""):
        return "PASS?XFAIL"
    return "FAIL"  # FAIL, CRASH, TIMEOUT, UNRESOLVED, XPASS, and failures the binary's main() accepted


# livegui's names for results that are no test of GoogleTest's
# (batcher/reproduce.hpp): a failure in a suite's set-up or tear-down, in a
# global environment, and the binary's own exit or death beside its tests.
SUITE_LEVEL = ".<suite set-up/tear-down>"
GLOBAL_LEVEL = "<global set-up/tear-down>"


def suite_level(name):
    return name.endswith(SUITE_LEVEL) or name == GLOBAL_LEVEL or name.endswith(" (process)")


def compare(tests, truth, ctest_verdicts, results, junit):
    entries = {e["name"]: e for e in results["entries"]}
    suites = {s.get("name"): s for s in junit.iter("testsuite")}
    rows, problems = [], []
    n_tests = n_tests_agree = 0
    for t in tests:
        name = t["name"]
        e = entries.get(name)
        tr = truth[name]
        row = {"binary": name, "ctest": "PASS" if ctest_verdicts.get(name) else "FAIL",
               "livegui": e["result"] if e else "MISSING", "gtest_exit": tr["exit"]}
        if e is None:
            problems.append(("verdict", name, "no entry in results.json"))
            rows.append(row)
            continue
        if ctest_verdicts.get(name) is None:
            problems.append(("verdict", name, "ctest did not run it"))
        elif ctest_verdicts[name] == e["is_failure"]:
            problems.append(("verdict", name, "ctest %s, livegui %s: %s" % (row["ctest"], e["result"],
                                                                         e.get("reason", ""))))
        if not tr["report"]:
            # GoogleTest wrote no report (the binary crashed, hung, or never
            # called RUN_ALL_TESTS()): only the verdict can be compared.
            row.update(tests="-", tests_agree="-", note="no GoogleTest report (exit %s)" % tr["exit"])
            rows.append(row)
            continue
        mine = collections.Counter((x["name"], livegui_outcome(x)) for x in e["tests"]
                                   if not x.get("synthetic") and not suite_level(x["name"]))
        theirs = collections.Counter(tr["tests"])
        n_tests += sum(theirs.values())
        n_tests_agree += sum((mine & theirs).values())
        for k, v in (theirs - mine).items():
            problems.append(("test", name, "GoogleTest: %s %s x%d; livegui: %s" % (
                k[0], k[1], v, sorted(o for (n, o) in mine if n == k[0]) or "absent")))
        for k, v in (mine - theirs).items():
            if not any(n == k[0] for (n, _) in theirs):
                problems.append(("test", name, "livegui has %s %s x%d; GoogleTest has no such test" % (k[0], k[1], v)))
        s = suites.get(TIER + "." + name)
        if tr["counts"] is not None and s is not None:
            got = {k: int(s.get(k, "0")) for k in ("tests", "failures", "disabled", "skipped")}
            want = dict(tr["counts"])
            if got != want:
                problems.append(("counts", name, "junit.xml %s; GoogleTest %s" % (got, want)))
        row.update(tests=sum(theirs.values()), tests_agree=sum((mine & theirs).values()))
        rows.append(row)
    return rows, problems, n_tests, n_tests_agree


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", required=True, help="the ctest build tree")
    ap.add_argument("--batch", required=True, help="the livegui-batch executable")
    ap.add_argument("--work", default="/tmp/gtest-agreement", help="scratch and report directory")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds (medians reported)")
    ap.add_argument("--jobs", type=int, default=1, help="-j for both ctest and livegui-batch")
    a = ap.parse_args()
    build_dir = os.path.abspath(a.build_dir)
    batch = os.path.abspath(a.batch)
    os.makedirs(a.work, exist_ok=True)

    tests = ctest_tests(build_dir)
    print("%d ctest tests run a binary directly" % len(tests))
    truth = {t["name"]: gtest_truth(t, a.work) for t in tests}
    plan = os.path.join(a.work, "plan.toml")
    write_plan(tests, plan)

    ctest_times, batch_times, all_problems, first = [], [], [], None
    for r in range(1, a.rounds + 1):
        ct, verdicts = run_ctest(build_dir, [t["name"] for t in tests], os.path.join(a.work, "ctest-%d.xml" % r),
                                 a.jobs)
        bt, code, results, junit = run_batch(batch, plan, os.path.join(a.work, "report-%d" % r), a.jobs)
        ctest_times.append(ct)
        batch_times.append(bt)
        rows, problems, n, agree = compare(tests, truth, verdicts, results, junit)
        print("round %d: ctest %.2fs, livegui-batch %.2fs (exit %d), %d disagreements" % (r, ct, bt, code,
                                                                                      len(problems)))
        all_problems.append(problems)
        if first is None:
            first = (rows, problems, n, agree, verdicts, code)

    rows, problems, n, agree, verdicts, code = first
    verdict_agree = sum(1 for row in rows if row["ctest"] == ("FAIL" if row["livegui"] in (
        "FAIL", "CRASH", "TIMEOUT", "UNRESOLVED", "XPASS", "MISSING") else "PASS"))
    print()
    print("%-45s %-6s %-10s %-6s %s" % ("binary", "ctest", "livegui", "exit", "tests agree"))
    for row in rows:
        print("%-45s %-6s %-10s %-6s %s/%s%s" % (row["binary"], row["ctest"], row["livegui"], row["gtest_exit"],
                                                row.get("tests_agree", "-"), row.get("tests", "-"),
                                                "  " + row["note"] if row.get("note") else ""))
    print()
    print("binaries: %d; ctest passed %d; verdicts agree %d/%d" % (
        len(rows), sum(1 for r in rows if r["ctest"] == "PASS"), verdict_agree, len(rows)))
    print("tests (GoogleTest's JSON): %d; livegui agrees on %d/%d" % (n, agree, n))
    mc, mb = statistics.median(ctest_times), statistics.median(batch_times)
    print("wall time, median of %d interleaved rounds: ctest %.2fs, livegui-batch %.2fs, ratio %.2f" % (
        a.rounds, mc, mb, mb / mc if mc else float("nan")))
    print("disagreements (round 1): %d" % len(problems))
    for kind, binary, what in problems:
        print("  [%s] %s: %s" % (kind, binary, what))
    for r, ps in enumerate(all_problems[1:], 2):
        if ps != problems:
            print("round %d differs from round 1: %d disagreements" % (r, len(ps)))
    with open(os.path.join(a.work, "summary.json"), "w") as f:
        json.dump({"binaries": len(rows), "verdicts_agree": verdict_agree, "tests": n, "tests_agree": agree,
                   "ctest_s": ctest_times, "batch_s": batch_times, "ratio": mb / mc if mc else None,
                   "rows": rows, "problems": problems}, f, indent=1)
    return 0 if not any(all_problems) else 1


if __name__ == "__main__":
    sys.exit(main())
