#!/usr/bin/env bash
# Builds the secret-scan benchmark corpus: a Go monorepo with vendored
# dependencies, from Debian's packaged Go sources (no network beyond apt).
#   - the Go 1.19 toolchain tree (golang-1.19-src: /usr/share/go-1.19, with
#     its own src/vendor and src/cmd/vendor), as the repository;
#   - Debian's Go library sources (/usr/share/gocode/src: aws-sdk-go,
#     google-api-go-client, google-cloud-go, docker and their dependencies)
#     copied in as vendor/, as `go mod vendor` lays them out.
# Result (Debian bookworm, 2026-11): 877 MB, 40,550 files, of which
# vendor/ 732 MB and 28,791 files.
# Usage: bench/make-corpus.sh [DEST]   (default /work/corpus/go)
set -euo pipefail
dest=${1:-/work/corpus/go}
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  golang-1.19-src golang-github-aws-aws-sdk-go-dev golang-google-api-dev \
  golang-google-cloud-dev golang-github-docker-docker-dev >/dev/null
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -rL /usr/share/go-1.19 "$dest" 2>/dev/null || true
mkdir -p "$dest/vendor"
cp -rL /usr/share/gocode/src/. "$dest/vendor/" 2>/dev/null || true
echo "corpus: $dest: $(du -sh "$dest" | cut -f1), $(find "$dest" -type f | wc -l) files"
