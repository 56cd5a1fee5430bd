#!/usr/bin/env python3
"""Counts test cases from meson's testlog.json files and prints one closing
line 'N passed, N failed'.  Each GTest program speaks TAP, so its cases
('ok' / 'not ok' lines) are counted one by one; a program that failed
without reporting a failed case (a crash, a timeout, a bail-out) counts as
one more failure.  Exit status 1 if anything failed or nothing ran."""
import json
import re
import sys


def count(logfile):
    passed = failed = 0
    with open(logfile) as f:
        for line in f:
            rec = json.loads(line)
            out = rec.get("stdout") or ""
            ok = len(re.findall(r"^ok \d+", out, re.M))
            skipped = len(re.findall(r"^ok \d+ .*# SKIP", out, re.M))
            bad = len(re.findall(r"^not ok \d+", out, re.M))
            passed += ok - skipped
            failed += bad
            if ok + bad == 0 and rec.get("result") == "OK":
                passed += 1  # a program that reports only its exit status
            if rec.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and bad == 0:
                failed += 1
                print(f"FAILED: {rec.get('name')} ({rec.get('result')})", file=sys.stderr)
            elif bad:
                print(f"FAILED: {rec.get('name')} ({bad} case(s))", file=sys.stderr)
    return passed, failed


def main():
    if len(sys.argv) < 2:
        print("usage: test-summary.py BUILD_DIR/meson-logs/testlog.json ...", file=sys.stderr)
        return 2
    passed = failed = 0
    for path in sys.argv[1:]:
        try:
            p, f = count(path)
        except OSError:
            print(f"FAILED: no test results in {path} (did the build fail?)", file=sys.stderr)
            p, f = 0, 1
        passed += p
        failed += f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
