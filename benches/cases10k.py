#!/usr/bin/env python3
"""Writes the 10,000-case file the `iamsim check` throughput figure is measured on:
copies of fixtures/conformance/cases.jsonl, each case with a distinct id, in corpus
order (so the 339 distinct `policies` documents each recur ~30 times).

    python3 benches/cases10k.py > /tmp/cases10k.jsonl
    perf stat -r 30 target/release/iamsim check /tmp/cases10k.jsonl -q
"""
import json
import os
import sys

corpus = os.path.join(os.path.dirname(__file__), "..", "fixtures", "conformance", "cases.jsonl")
with open(corpus, encoding="utf-8") as f:
    cases = [line for line in f if line.strip()]
for i in range(10000):
    case = json.loads(cases[i % len(cases)])
    case["id"] = f"{case['id']}-{i}"
    sys.stdout.write(json.dumps(case) + "\n")
