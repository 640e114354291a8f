"""Checks the licence of every dependency in Cargo.lock against .ci/licences/allowed.toml.

Reads `cargo metadata --format-version 1 --locked` on stdin (every package the lock file
holds, for every platform and kind). A package passes when its SPDX expression can be
satisfied with the allowed licences: `A OR B` needs one side, `A AND B` both, `A WITH E`
an allowed licence and an allowed exception; the older `A/B` form reads as `A OR B`. The
workspace's own crates (EUPL-1.2) are not checked. Prints every package that fails and
exits 1 if there is one.

Usage: cargo metadata --format-version 1 --locked | python3 .ci/licences/check.py
       python3 .ci/licences/check.py --self-test   (the expression reader on known cases)
"""

import json
import pathlib
import re
import sys


def read_allowed(text):
    """The allow-list: with tomllib (Python 3.11+), else its two flat tables read line by line."""
    try:
        import tomllib

        return tomllib.loads(text)
    except ImportError:
        tables, current = {}, None
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("[") and line.endswith("]"):
                current = tables.setdefault(line[1:-1], {})
            elif current is not None and "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                current[key.strip().strip('"')] = value.strip().strip('"')
        return tables


allowed = read_allowed((pathlib.Path(__file__).parent / "allowed.toml").read_text())
LICENCES = set(allowed["licences"])
EXCEPTIONS = set(allowed["exceptions"])


def tokens(expr):
    expr = re.sub(r"\s*/\s*", " OR ", expr)
    return re.findall(r"\(|\)|[^\s()]+", expr)


def satisfied(tok):
    """Parses an expression from the token list (consumed), returning whether it passes."""

    def primary():
        t = tok.pop(0)
        if t == "(":
            ok = disjunction()
            if not tok or tok.pop(0) != ")":
                raise ValueError("unbalanced parentheses")
            return ok
        ok = t.rstrip("+") in LICENCES
        if tok and tok[0] == "WITH":
            tok.pop(0)
            exception = tok.pop(0)
            ok = ok and exception in EXCEPTIONS
        return ok

    def conjunction():
        ok = primary()
        while tok and tok[0] == "AND":
            tok.pop(0)
            ok = primary() and ok
        return ok

    def disjunction():
        ok = conjunction()
        while tok and tok[0] == "OR":
            tok.pop(0)
            ok = conjunction() or ok
        return ok

    result = disjunction()
    if tok:
        raise ValueError(f"unexpected {tok[0]!r}")
    return result


def self_test():
    cases = [
        ("MIT", True),
        ("GPL-3.0-only", False),
        ("MIT OR GPL-3.0-only", True),
        ("MIT AND GPL-3.0-only", False),
        ("(MIT OR Apache-2.0) AND Unicode-3.0", True),
        ("(MIT OR GPL-3.0-only) AND (GPL-2.0-only OR Zlib)", True),
        ("Apache-2.0 WITH LLVM-exception OR GPL-3.0-only", True),
        ("GPL-2.0-only WITH LLVM-exception", False),
        ("Apache-2.0 WITH Classpath-exception-2.0", False),
        ("MIT/Apache-2.0", True),
        ("LGPL-2.1-or-later", False),
    ]
    wrong = [(e, want) for e, want in cases if satisfied(tokens(e)) != want]
    for e, want in wrong:
        print(f"self-test: {e!r} should {'pass' if want else 'fail'}", file=sys.stderr)
    if wrong:
        sys.exit(1)
    print(f"licences: self-test, {len(cases)} expressions read as expected")


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    metadata = json.load(sys.stdin)
    failures = []
    checked = 0
    for p in metadata["packages"]:
        if p["source"] is None:  # the workspace's own crates
            continue
        checked += 1
        expr = p.get("license")
        try:
            ok = bool(expr) and satisfied(tokens(expr))
        except (ValueError, IndexError) as e:
            ok, expr = False, f"{expr} (unreadable: {e})"
        if not ok:
            failures.append(f"{p['name']} {p['version']}: {expr or 'no SPDX licence'}")
    for f in failures:
        print(f"licence not allowed: {f}", file=sys.stderr)
    if failures:
        print("decide on each in .ci/licences/allowed.toml, with the reason", file=sys.stderr)
        sys.exit(1)
    print(f"licences: {checked} dependencies, each allowed by .ci/licences/allowed.toml")


if __name__ == "__main__":
    main()
