#!/usr/bin/env bash
# Run step of action.yml: build the `prr check` command from the inputs and the
# event, run it, and publish step outputs.
#
#   prr check . [--config C] --format json --output prr-report.json
#               [--format X --output FILE]...   one per requested format
#               [--label L]...                  PR labels listed in exception-labels
#               [--changed-since BASE_SHA]      on pull_request events
#               [--policy-from BASE_SHA]        on pull_request events (policy-from: base)
#               [ARGS...]
#
# Exit status: prr's own code in `enforce` mode; in `warn` mode 0 when prr
# exits 1 (the gate blocks) but still prr's code for anything else (2: usage
# or configuration error, 101: a bug), so a broken setup is never hidden.
#
# Environment (set by action.yml): PRR_BIN, INPUT_CONFIG, INPUT_MODE,
# INPUT_FORMATS, INPUT_SARIF_FILE, INPUT_EXCEPTION_LABELS, INPUT_ARGS,
# INPUT_POLICY_FROM, and the
# runner's GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY.
set -euo pipefail

log() { printf 'prr-action: %s\n' "$*" >&2; }

prr="${PRR_BIN:-}"
if [[ -z "$prr" ]]; then
  prr="prr"
fi
mode="${INPUT_MODE:-enforce}"
case "$mode" in
  enforce | warn) ;;
  *)
    log "mode must be enforce or warn, not '$mode'"
    exit 2
    ;;
esac

report_json="prr-report.json"
sarif_file=""

cmd=("$prr" check .)
if [[ -n "${INPUT_CONFIG:-}" ]]; then
  cmd+=(--config "$INPUT_CONFIG")
fi
cmd+=(--format json --output "$report_json")

# Formats: comma/space/newline separated.
read -r -a formats <<<"$(printf '%s' "${INPUT_FORMATS:-}" | tr ',\n' '  ')"
for format in ${formats[@]+"${formats[@]}"}; do
  case "$format" in
    json) ;; # always written above
    sarif)
      sarif_file="${INPUT_SARIF_FILE:-prr.sarif}"
      cmd+=(--format sarif --output "$sarif_file")
      ;;
    text | github) cmd+=(--format "$format") ;; # to the log
    junit) cmd+=(--format junit --output prr-junit.xml) ;;
    *) cmd+=(--format "$format" --output "prr-report.$format") ;;
  esac
done

# Labels and base commit from the webhook payload (pull_request /
# pull_request_target events). python3 is on every hosted runner; jq is the
# fallback.
event="${GITHUB_EVENT_PATH:-}"
event_name="${GITHUB_EVENT_NAME:-}"
pr_labels=""
base_sha=""
if [[ -n "$event" && -f "$event" ]]; then
  if command -v python3 >/dev/null 2>&1; then
    pr_labels="$(python3 -c '
import json, sys
pr = (json.load(open(sys.argv[1], encoding="utf-8")) or {}).get("pull_request") or {}
for label in pr.get("labels") or []:
    if isinstance(label, dict) and isinstance(label.get("name"), str):
        print(label["name"])
' "$event")"
    base_sha="$(python3 -c '
import json, sys
pr = (json.load(open(sys.argv[1], encoding="utf-8")) or {}).get("pull_request") or {}
sha = (pr.get("base") or {}).get("sha")
print(sha if isinstance(sha, str) else "")
' "$event")"
  elif command -v jq >/dev/null 2>&1; then
    pr_labels="$(jq -r '.pull_request.labels // [] | .[] | .name // empty' "$event")"
    base_sha="$(jq -r '.pull_request.base.sha // empty' "$event")"
  else
    log "neither python3 nor jq is available: PR labels and the base commit are not read"
  fi
fi

# Exception labels: pass the PR's labels that are listed (all of them when the
# list is empty).
read -r -a wanted <<<"$(printf '%s' "${INPUT_EXCEPTION_LABELS:-}" | tr ',\n' '  ')"
while IFS= read -r label; do
  [[ -n "$label" ]] || continue
  if [[ ${#wanted[@]} -eq 0 ]]; then
    cmd+=(--label "$label")
    continue
  fi
  for w in "${wanted[@]}"; do
    if [[ "$label" == "$w" ]]; then
      cmd+=(--label "$label")
      break
    fi
  done
done <<<"$pr_labels"

# PR mode: gate only the services the pull request touches.
case "$event_name" in
  pull_request | pull_request_target)
    if [[ "$base_sha" =~ ^[0-9a-fA-F]{7,64}$ ]]; then
      if git cat-file -e "$base_sha^{commit}" 2>/dev/null; then
        cmd+=(--changed-since "$base_sha")
      else
        echo "::warning title=prr::base commit $base_sha is not in the checkout (use actions/checkout with fetch-depth: 0); gating every service"
      fi
    fi
    ;;
esac

# The policy the gate applies: by default, on pull requests, the base
# commit's (a pull request must not weaken its own gate).
policy_from="${INPUT_POLICY_FROM:-base}"
case "$policy_from" in
  head | "") ;;
  base)
    case "$event_name" in
      pull_request | pull_request_target)
        if [[ "$base_sha" =~ ^[0-9a-fA-F]{7,64}$ ]] && git cat-file -e "$base_sha^{commit}" 2>/dev/null; then
          cmd+=(--policy-from "$base_sha")
        elif [[ -n "$base_sha" ]]; then
          echo "::warning title=prr::base commit $base_sha is not in the checkout: the policy is read from the pull request itself (use actions/checkout with fetch-depth: 0)"
        fi
        ;;
    esac
    ;;
  *) cmd+=(--policy-from "$policy_from") ;;
esac

# Extra arguments, split on whitespace.
read -r -a extra <<<"${INPUT_ARGS:-}"
cmd+=(${extra[@]+"${extra[@]}"})

# prr itself may write the job summary (GITHUB_STEP_SUMMARY): add ours only
# when it did not.
summary_size=0
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -f "$GITHUB_STEP_SUMMARY" ]]; then
  summary_size="$(wc -c <"$GITHUB_STEP_SUMMARY")"
fi

log "running: ${cmd[*]}"
code=0
"${cmd[@]}" || code=$?

# Outputs from the JSON report's summary.
result="error"
errors=""
warnings=""
if [[ "$code" -ne 2 && -f "$report_json" ]]; then
  summary="$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
s = r.get("summary") or {}
print(r.get("result", "error"), s.get("errors", ""), s.get("warnings", ""))
' "$report_json" 2>/dev/null ||
    jq -r '"\(.result // "error") \(.summary.errors // "") \(.summary.warnings // "")"' "$report_json" 2>/dev/null ||
    true)"
  read -r result errors warnings <<<"$summary" || true
  result="${result:-error}"
fi
if [[ "$code" -ne 0 && "$code" -ne 1 ]]; then
  result="error"
fi

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    printf 'result=%s\n' "$result"
    printf 'errors=%s\n' "$errors"
    printf 'warnings=%s\n' "$warnings"
    printf 'report-json=%s\n' "$report_json"
    printf 'sarif-file=%s\n' "$sarif_file"
    printf 'exit-code=%s\n' "$code"
  } >>"$GITHUB_OUTPUT"
fi

summary_now=0
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -f "$GITHUB_STEP_SUMMARY" ]]; then
  summary_now="$(wc -c <"$GITHUB_STEP_SUMMARY")"
fi
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  {
    if [[ "$summary_now" -eq "$summary_size" ]]; then
      printf '### prr: %s\n\n' "$result"
      if [[ "$result" == "error" ]]; then
        printf 'prr exited with code %s (usage or configuration error): see the step log.\n\n' "$code"
      else
        printf '%s errors, %s warnings. Report: %s\n\n' "${errors:-?}" "${warnings:-?}" "\`$report_json\`"
      fi
    fi
    if [[ "$mode" == "warn" && "$code" -eq 1 ]]; then
      printf '> [!WARNING]\n> The gate blocks, but the action runs in mode: warn, so the step does not fail.\n\n'
    fi
  } >>"$GITHUB_STEP_SUMMARY"
fi

if [[ "$code" -eq 1 && "$mode" == "warn" ]]; then
  echo "::warning title=prr::the gate blocks (${errors:-?} errors) but mode is warn: not failing the step"
  exit 0
fi
exit "$code"
