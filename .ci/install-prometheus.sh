#!/usr/bin/env bash
# Installs the Debian packages the live tests need:
#   prometheus              prometheus + promtool (tests/it/prometheus.rs backfills
#                           a TSDB and starts a throw-away server on 127.0.0.1;
#                           template verdicts are compared with promtool)
#   prometheus-alertmanager amtool (routing is compared with `amtool config
#                           routes test`)
#   victoria-metrics        a VictoriaMetrics single-node server on 127.0.0.1
#
# Idempotent: does nothing when every binary is already on PATH.
# Never leaves a prometheus service running: service start-up is denied
# during the install through policy-rc.d (for sysvinit/invoke-rc.d), and
# any daemon the package started anyway is stopped afterwards.
set -euo pipefail

have_all() {
    command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 \
        && command -v amtool >/dev/null 2>&1 && command -v victoria-metrics >/dev/null 2>&1
}
if have_all; then
    echo "install-prometheus: $(prometheus --version 2>&1 | head -n1)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-prometheus: not root and no sudo; install the 'prometheus' package" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive

# Deny service start-up by maintainer scripts (exit 101 = action forbidden),
# restoring any pre-existing policy afterwards.
POLICY=/usr/sbin/policy-rc.d
BACKUP=""
if [ -e "$POLICY" ]; then
    BACKUP="$(mktemp)"
    $SUDO cp -p "$POLICY" "$BACKUP"
fi
restore_policy() {
    if [ -n "$BACKUP" ]; then
        $SUDO cp -p "$BACKUP" "$POLICY"
        rm -f "$BACKUP"
    else
        $SUDO rm -f "$POLICY"
    fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
$SUDO chmod 755 "$POLICY"

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    prometheus prometheus-alertmanager victoria-metrics >/dev/null

# If the package started a daemon anyway (a systemd host), stop it: the
# tests start their own server on a free port.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    for unit in prometheus prometheus-alertmanager victoria-metrics; do
        $SUDO systemctl stop "$unit.service" >/dev/null 2>&1 || true
        $SUDO systemctl disable "$unit.service" >/dev/null 2>&1 || true
    done
elif command -v service >/dev/null 2>&1; then
    for unit in prometheus prometheus-alertmanager victoria-metrics; do
        $SUDO service "$unit" stop >/dev/null 2>&1 || true
    done
fi

have_all
echo "install-prometheus: $(prometheus --version 2>&1 | head -n1)"
