#!/usr/bin/env bash
# Installs what the tests and the demo need, and only what is missing. Sourced by ./test.sh and
# ./containment; safe to run any number of times.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[setup] %s\n' "$*" >&2; }

# npm packages (Azurite, maildev) from the committed package.json and lock file.
ensure_node_modules() {
  local stamp="$repo_root/node_modules/.containment-lock"
  if [[ -f "$stamp" ]] && cmp -s "$stamp" "$repo_root/package-lock.json"; then
    return 0
  fi
  command -v npm >/dev/null || { log "npm is required (Node.js 20+)"; return 1; }
  log "installing npm packages (azurite, maildev, the Adaptive Cards renderer)"
  (cd "$repo_root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  cp "$repo_root/package-lock.json" "$stamp"
}

# Debian packages, given as pairs "command:package".
ensure_debian() {
  local missing=()
  local pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_dotnet() {
  command -v dotnet >/dev/null || { log "the .NET SDK 10 is required (see global.json)"; return 1; }
}
