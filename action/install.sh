#!/usr/bin/env bash
# Install step of action.yml: make a `prr` binary available and print its path
# as the step output `path` (and put its folder on $GITHUB_PATH).
#
# Order: the `prr-path` input; else the release asset
#   <server>/<owner>/<repo>/releases/download/v<version>/prr-<target>.tar.gz
# checked against its `.sha256` file with `sha256sum -c`; else
# `cargo install --locked` from this action's checkout (no version given) or
# from the repository at tag v<version>.
#
# Environment (set by action.yml): INPUT_PRR_PATH, INPUT_VERSION,
# PRR_REPOSITORY (owner/repo of the action), PRR_GITHUB_SERVER_URL,
# GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_PATH, RUNNER_TEMP.
set -euo pipefail

log() { printf 'prr-action: %s\n' "$*" >&2; }

emit() {
  # emit DIR: publish DIR/prr as the step output and put DIR on the PATH.
  local dir="$1"
  if [[ -n "${GITHUB_PATH:-}" ]]; then
    printf '%s\n' "$dir" >>"$GITHUB_PATH"
  fi
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'path=%s\n' "$dir/prr" >>"$GITHUB_OUTPUT"
  fi
  log "using $dir/prr ($("$dir/prr" --version 2>/dev/null || echo 'version unknown'))"
}

# 1. A given binary (or a folder holding one).
prr_path="${INPUT_PRR_PATH:-}"
if [[ -n "$prr_path" ]]; then
  if [[ -d "$prr_path" ]]; then
    prr_path="$prr_path/prr"
  fi
  if [[ ! -x "$prr_path" ]]; then
    log "prr-path: $prr_path is not an executable file"
    exit 1
  fi
  dir="$(cd "$(dirname "$prr_path")" && pwd)"
  if [[ "$(basename "$prr_path")" != "prr" ]]; then
    # Expose it under the name `prr` so later steps can call it by name.
    link_dir="$(mktemp -d "${RUNNER_TEMP:-/tmp}/prr-bin.XXXXXX")"
    ln -s "$dir/$(basename "$prr_path")" "$link_dir/prr"
    dir="$link_dir"
  fi
  emit "$dir"
  exit 0
fi

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
version="${INPUT_VERSION:-}"
version="${version#v}"
explicit_version="$version"
if [[ -z "$version" && -f "$action_path/Cargo.toml" ]]; then
  # The version of this action's own checkout: the first `version = "…"` line
  # of [package].
  version="$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$action_path/Cargo.toml" | head -n 1)"
fi

install_root="$(mktemp -d "${RUNNER_TEMP:-/tmp}/prr-install.XXXXXX")"
bin_dir="$install_root/bin"
mkdir -p "$bin_dir"

target=""
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) target="x86_64-unknown-linux-gnu" ;;
  Linux/aarch64 | Linux/arm64) target="aarch64-unknown-linux-gnu" ;;
  Darwin/x86_64) target="x86_64-apple-darwin" ;;
  Darwin/arm64 | Darwin/aarch64) target="aarch64-apple-darwin" ;;
esac

repository="${PRR_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}"
server="${PRR_GITHUB_SERVER_URL:-${GITHUB_SERVER_URL:-https://github.com}}"

# 2. A release asset, verified by its published sha256.
if [[ -n "$version" && -n "$target" && -n "$repository" ]] && command -v curl >/dev/null 2>&1; then
  asset="prr-$target.tar.gz"
  url="$server/$repository/releases/download/v$version/$asset"
  work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/prr-download.XXXXXX")"
  if curl -fsSL --retry 3 -o "$work/$asset" "$url" &&
    curl -fsSL --retry 3 -o "$work/$asset.sha256" "$url.sha256"; then
    # The .sha256 file may name the asset or hold only the hash: check against
    # a line we write ourselves so the file name cannot point elsewhere.
    expected="$(awk 'NR == 1 { print $1 }' "$work/$asset.sha256")"
    if [[ ! "$expected" =~ ^[0-9a-fA-F]{64}$ ]]; then
      log "$url.sha256 does not hold a sha256 digest"
      exit 1
    fi
    printf '%s  %s\n' "$expected" "$asset" >"$work/check.sha256"
    if command -v sha256sum >/dev/null 2>&1; then
      (cd "$work" && sha256sum -c check.sha256) >&2
    else
      (cd "$work" && shasum -a 256 -c check.sha256) >&2
    fi
    tar -xzf "$work/$asset" -C "$work"
    found="$(find "$work" -type f -name prr -perm -u+x | head -n 1)"
    if [[ -z "$found" ]]; then
      log "$asset holds no executable named prr"
      exit 1
    fi
    mv "$found" "$bin_dir/prr"
    emit "$bin_dir"
    exit 0
  fi
  log "no release asset at $url; building from source"
fi

# 3. Build from source.
if ! command -v cargo >/dev/null 2>&1; then
  log "cargo is not installed: add a Rust toolchain step (e.g. dtolnay/rust-toolchain) or set prr-path"
  exit 1
fi
if [[ -n "$explicit_version" && -n "$repository" ]]; then
  cargo install --locked --root "$install_root" --git "$server/$repository" --tag "v$explicit_version" prr >&2
else
  cargo install --locked --root "$install_root" --path "$action_path" >&2
fi
emit "$bin_dir"
