"""The ADL LRS conformance suite's verdict on help-lms's /xapi, against a list of known failures.

Reads the JSON log that `node bin/console_runner.js ... -x 2.0.0` writes under the suite's
`logs/`: `log` is a tree of nodes (`title`, `status`, `tests`, sometimes `error`), and each
node without children is a test. A test is named by the titles from the root to it joined
with " > " (empty titles skipped); the suite has a few tests with the same name in the same
place, and those get " #1", " #2", ... in the order the suite ran them.

Fails (exit 1) when a test fails that is not in the expected-failures file, when a test in
that file passes or is not in the log (the list only shrinks), when the log has not exactly
EXPECTED_TOTAL tests (the suite ran in full) or the run did not finish, and when a suite
fails on its own (a hook). Prints the totals and each unexpected failure with its message.

Usage: check.py LOGFILE EXPECTED_FAILURES
       check.py credential BASE_URL ADMIN_EMAIL ADMIN_PASSWORD
           (signs in and creates an admin LRS credential; prints its key and secret, one a line)
       check.py --self-test   (the log reader and the verdict on made-up logs)
"""

import json
import sys
import urllib.error
import urllib.request
from collections import Counter

# The suite at commit 2ec25f2 has this many tests for xAPI 2.0.0.
EXPECTED_TOTAL = 1442
VERSION = "2.0.0"
ISSUES = "https://github.com/adlnet/lrs-conformance-test-suite/issues/"


def tests_of(log):
    """Each test in the log tree as (name, status, error), and each suite that failed on its
    own (its status or error set while none of its tests failed) as (name, error)."""
    leaves, suites = [], []

    def walk(node, titles):
        title = (node.get("title") or "").strip()
        here = titles + [title] if title else titles
        children = node.get("tests") or []
        if not children:
            leaves.append((" > ".join(here), node.get("status"), node.get("error")))
            return False
        failed_below = False
        for child in children:
            failed_below = walk(child, here) or failed_below
        own = node.get("status") == "failed" and not failed_below
        if own or node.get("error"):
            suites.append((" > ".join(here) or "(the root suite)", node.get("error")))
        return failed_below or node.get("status") == "failed"

    walk(log, [])
    seen, count = Counter(), Counter(name for name, _, _ in leaves)
    named = []
    for name, status, error in leaves:
        if count[name] > 1:
            seen[name] += 1
            name = f"{name} #{seen[name]}"
        named.append((name, status, error))
    return named, suites


def read_expected(text):
    """The expected-failures file: the test's name, ' | ' the xAPI 2.0 section, ' | ' the
    suite's issue. Returns (names, problems)."""
    names, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) != 3 or not all(parts) or not parts[2].startswith(ISSUES):
            problems.append(
                f"line {number}: want 'TEST | xAPI 2.0 SECTION | {ISSUES}N', got {line!r}"
            )
        if parts[0] in names:
            problems.append(f"line {number}: {parts[0]!r} is listed twice")
        names.append(parts[0])
    return names, problems


def verdict(run, expected_text):
    """The summary lines and whether the run passes."""
    tests, suites = tests_of(run.get("log") or {})
    expected, problems = read_expected(expected_text)
    failed = {name: (status, error) for name, status, error in tests if status != "passed"}
    names = {name for name, _, _ in tests}
    passed = len(tests) - len(failed)
    summary = run.get("summary") or {}
    lines = [
        f"xapi: {len(tests)} tests, {passed} passed, {len(failed)} failed "
        f"({len([n for n in failed if n in expected])} of them expected); "
        f"the runner's summary: {json.dumps(summary, sort_keys=True)}"
    ]
    bad = list(problems)
    if len(tests) != EXPECTED_TOTAL:
        bad.append(f"the log has {len(tests)} tests, not {EXPECTED_TOTAL}: the suite did not run in full")
    if summary.get("total") != EXPECTED_TOTAL:
        bad.append(f"the runner counted {summary.get('total')} tests, not {EXPECTED_TOTAL}")
    if summary.get("version") != VERSION:
        bad.append(f"the suite ran for xAPI {summary.get('version')}, not {VERSION}")
    if run.get("state") != "finished":
        bad.append(f"the run's state is {run.get('state')!r}, not 'finished'")
    for name, error in suites:
        bad.append(f"suite failed on its own (a hook): {name}\n    {error}")
    for name, (status, error) in failed.items():
        if name not in expected:
            bad.append(f"unexpected failure ({status or 'no status'}): {name}\n    {error}")
    for name in expected:
        if name not in names:
            bad.append(f"expected failure is not a test in this log: {name}")
        elif name not in failed:
            bad.append(f"expected failure now passes; take it off the list: {name}")
    lines += [f"FAILED - {b}" for b in bad]
    lines.append(f"xapi: {'FAILED' if bad else 'passed'}")
    return lines, not bad


def credential(base, email, password):
    """Signs in as the admin and creates an admin LRS credential: (key, secret)."""

    def post(path, body, token=None):
        request = urllib.request.Request(
            base.rstrip("/") + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            sys.exit(f"xapi: POST {path} answered {e.code}: {e.read().decode(errors='replace')}")

    _, login = post("/api/v1/auth/login", {"email": email, "password": password})
    status, made = post(
        "/api/v1/xapi/credentials", {"name": "ADL conformance suite"}, login["access_token"]
    )
    if status != 201 or not made.get("key") or not made.get("secret"):
        sys.exit(f"xapi: creating the credential answered {status}: {made}")
    return made["key"], made["secret"]


def self_test():
    def node(title, status="passed", tests=(), error=None):
        return {"title": title, "status": status, "tests": list(tests), "error": error}

    def run_of(leaves, state="finished", total=None, root_status=None):
        root = node("", root_status or "passed", [node("Suite (Data 1)", "passed", leaves)])
        total = len(leaves) if total is None else total
        return {"state": state, "summary": {"total": total, "version": VERSION}, "log": root}

    global EXPECTED_TOTAL
    saved, EXPECTED_TOTAL = EXPECTED_TOTAL, 3
    entry = f"Suite (Data 1) > b | Communication 2.1.3 | {ISSUES}1\n"
    header = "# comment\n\n"
    cases = [
        ("all pass", run_of([node("a"), node("b"), node("c")]), header, True),
        ("one fails", run_of([node("a"), node("b", "failed"), node("c")]), header, False),
        ("it is expected", run_of([node("a"), node("b", "failed"), node("c")]), header + entry, True),
        ("expected passes", run_of([node("a"), node("b"), node("c")]), entry, False),
        ("expected absent", run_of([node("a"), node("x", "failed"), node("c")]), entry, False),
        ("no status", run_of([node("a"), node("b", ""), node("c")]), header, False),
        ("too few", run_of([node("a"), node("b")]), header, False),
        ("runner total", run_of([node("a"), node("b"), node("c")], total=4), header, False),
        ("cancelled", run_of([node("a"), node("b"), node("c")], state="cancelled"), header, False),
        ("hook", run_of([node("a"), node("b"), node("c")], root_status="failed"), header, False),
        ("bad entry", run_of([node("a"), node("b", "failed"), node("c")]), "Suite (Data 1) > b\n", False),
        ("twice", run_of([node("a"), node("b", "failed"), node("c")]), entry + entry, False),
        ("duplicates", run_of([node("a"), node("a", "failed"), node("c")]),
         f"Suite (Data 1) > a #2 | Data 2.4 | {ISSUES}2\n", True),
    ]
    ok = True
    for label, run, expected, want in cases:
        lines, got = verdict(run, expected)
        if got != want:
            ok = False
            print(f"self-test {label}: passed={got}, want {want}", *lines, sep="\n  ")
    EXPECTED_TOTAL = saved
    names, _ = tests_of(run_of([node("a"), node("b", tests=[node("c")]), node("a")])["log"])
    if [n for n, _, _ in names] != ["Suite (Data 1) > a #1", "Suite (Data 1) > b > c", "Suite (Data 1) > a #2"]:
        ok = False
        print("self-test names:", names)
    print(f"xapi check.py self-test: {'passed' if ok else 'FAILED'} ({len(cases) + 1} cases)")
    return ok


def main(argv):
    if argv[1:2] == ["--self-test"] and len(argv) == 2:
        return 0 if self_test() else 1
    if argv[1:2] == ["credential"] and len(argv) == 5:
        print(*credential(*argv[2:5]), sep="\n")
        return 0
    if len(argv) != 3 or argv[1].startswith("-"):
        sys.exit(__doc__.rsplit("Usage: ", 1)[1].strip())
    with open(argv[1], encoding="utf-8") as f:
        run = json.load(f)
    with open(argv[2], encoding="utf-8") as f:
        expected = f.read()
    lines, ok = verdict(run, expected)
    print(*lines, sep="\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
