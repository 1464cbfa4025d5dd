#!/usr/bin/env python3
"""Parses Prometheus text exposition (the file named as the argument, or stdin) with prometheus_client's own parser (the one
Prometheus' Python ecosystem trusts) and prints one JSON object per sample:
{"name": ..., "labels": {...}, "value": ..., "type": ...}. Exits 1 on a parse error.

Used by the integration test of `/metrics` (Tests/IntegrationTests/MetricsEndpointTests.swift)
so the exposition is checked by an independent parser, not by our own reading of it."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1], encoding="utf-8").read() if len(sys.argv) > 1 else sys.stdin.read()
try:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            print(json.dumps({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type}))
except Exception as e:  # the parser raises ValueError and friends on bad input
    print(f"parse error: {e}", file=sys.stderr)
    sys.exit(1)
