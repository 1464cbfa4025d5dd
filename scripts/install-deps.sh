#!/usr/bin/env bash
# Installs the Debian packages tinsense builds and tests against, if any is missing.
# (Swift itself comes with the machine image: /opt/swift.)
set -euo pipefail
packages=(mosquitto mosquitto-clients libmosquitto-dev libzstd-dev pkg-config python3 librsvg2-bin openssl make systemd init-system-helpers procps protobuf-compiler python3-protobuf libcurl4-openssl-dev victoria-metrics)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packaged broker must not hold port 1883 or run as a service during tests; tests and the
# demo start their own on a free loopback port.

# The /metrics test parses the exposition with Prometheus' Python client (PyPI). Debian's own
# python3 refuses pip installs into the system (PEP 668); there the Debian package serves.
if ! python3 -c "import prometheus_client" 2>/dev/null; then
    echo "installing: prometheus_client (PyPI)" >&2
    python3 -m pip install --quiet prometheus_client 2>/dev/null \
        || { SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-prometheus-client >/dev/null; }
    python3 -c "import prometheus_client"
fi

# The Sparkplug cross-check (TinsenseSparkplugTests) encodes and decodes with Python's protobuf
# runtime: Debian's python3-protobuf above, or PyPI's protobuf when python3 is not Debian's.
if ! python3 -c "import google.protobuf" 2>/dev/null; then
    echo "installing: protobuf (PyPI)" >&2
    python3 -m pip install --quiet protobuf
    python3 -c "import google.protobuf"
fi
