#!/usr/bin/env bash
# Checks that the module dependency list in docs/ARCHITECTURE.md (the block between the
# "module-dependencies" markers) is exactly what Package.swift declares, so the picture a
# newcomer reads cannot drift from the build.
set -euo pipefail
cd "$(dirname "$0")/.."
declared=$(swift package dump-package | python3 -c '
import json, sys
d = json.load(sys.stdin)
for t in d["targets"]:
    if t["type"] not in ("regular", "executable"):
        continue
    deps = []
    for x in t.get("dependencies", []):
        if "byName" in x: deps.append(x["byName"][0])
        elif "target" in x: deps.append(x["target"][0])
        elif "product" in x: deps.append(x["product"][0])
    print(t["name"] + ": " + ", ".join(sorted(deps)))
' | sort)
documented=$(sed -n '/<!-- module-dependencies -->/,/<!-- \/module-dependencies -->/p' docs/ARCHITECTURE.md \
    | grep -E '^[A-Za-z][A-Za-z0-9]*:' | python3 -c '
import sys
for line in sys.stdin:
    name, _, deps = line.strip().partition(":")
    items = sorted(d.strip() for d in deps.split(",") if d.strip())
    print(name + ": " + ", ".join(items))
' | sort)
if [[ "$declared" != "$documented" ]]; then
    echo "docs/ARCHITECTURE.md's module dependencies differ from Package.swift:" >&2
    diff <(echo "$documented") <(echo "$declared") >&2 || true
    echo "(< documented, > Package.swift)" >&2
    exit 1
fi
echo "architecture: docs/ARCHITECTURE.md matches Package.swift ($(echo "$declared" | wc -l) modules)"
