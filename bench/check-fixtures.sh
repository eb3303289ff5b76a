#!/usr/bin/env bash
# Measures `prr check` on the shared public fixtures (about 500 files):
# wall time (hyperfine, 3 warm-up runs, 20 measured runs) and peak RSS
# (/usr/bin/time -v). Needs: a release build, hyperfine and GNU time
# (`apt-get install -y hyperfine time`), and ../shared/fixtures beside the
# repository. Target (issue 2): under 0.3 s wall on the 2-core CI machine.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=${1:-../shared/fixtures}
cargo build --release --locked -q
bin=target/release/prr
echo "files: $(find "$fixtures" -type f | wc -l), bytes: $(du -sb "$fixtures" | cut -f1)"
# prr exits 1 on the fixtures (they contain deliberately bad files): ignore the status.
hyperfine --warmup 3 --runs 20 -i -N "$bin check $fixtures --format json --output /dev/null"
/usr/bin/time -v "$bin" check "$fixtures" --format json --output /dev/null 2>&1 >/dev/null \
  | grep -E "Maximum resident set size|Elapsed \(wall clock\)"
