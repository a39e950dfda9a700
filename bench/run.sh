#!/usr/bin/env bash
# The allow-path load test: Countersign (SQLite, every decision recorded
# durably) against Open Policy Agent's server answering the same decisions
# from bench/allow.rego (records nothing), each loaded by wrk from a second
# process over loopback. Installs wrk (Debian) when missing; OPA is built with
# `go install github.com/open-policy-agent/opa@v1.22.2` into a temp dir, never
# committed. Usage: [POLICY=FILE] bench/run.sh [seconds] [connections]
# POLICY defaults to bench/allow-policy.yaml (rules on action fields only);
# bench/analysed-policy.yaml judges the SQL analyser's facts and counts a
# rate limit on every action.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
conns=${2:-16}
policy=${POLICY:-bench/allow-policy.yaml}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench: installing wrk (Debian package)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "bench: wrk is missing: sudo apt-get install wrk" >&2
    exit 1
  fi
fi
go build -o "$work/countersign" ./cmd/countersign
opa=${OPA:-}
if [ -z "$opa" ]; then
  GOBIN="$work/bin" go install github.com/open-policy-agent/opa@v1.22.2
  opa="$work/bin/opa"
fi

body='{"kind":"sql","environment":"staging","resource":"postgres://orders-db/orders","summary":"bench","payload":{"sql":"select id, total from orders where id = 42"}}'

# Countersign
"$work/countersign" serve --listen 127.0.0.1:18480 --data "$work/data" --policy "$policy" \
  --bootstrap-key-file "$work/admin.key" --log-level error >"$work/cs.log" 2>&1 &
for _ in $(seq 100); do curl -fs http://127.0.0.1:18480/readyz >/dev/null && break; sleep 0.1; done
export COUNTERSIGN_URL=http://127.0.0.1:18480 COUNTERSIGN_KEY=$(cat "$work/admin.key")
agent=$("$work/countersign" keys create --agent bench-bot --owner owner@example.com 2>/dev/null)
state=$(curl -fs -H "Authorization: Bearer $agent" -H 'Content-Type: application/json' -d "$body" http://127.0.0.1:18480/v1/actions | grep -o '"state":"[a-z]*"')
[ "$state" = '"state":"approved"' ] || { echo "bench: expected the allow path, got $state" >&2; exit 1; }
echo "== countersign (sqlite, $policy, $conns connections, ${secs}s)"
BODY="$body" KEY="$agent" wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/post.lua http://127.0.0.1:18480/v1/actions | tee "$work/cs.out"
echo "decisions recorded: $(curl -fs http://127.0.0.1:18480/metrics | grep '^countersign_decisions_total{effect="allow"}')"
kill %1; wait %1 2>/dev/null || true

# Open Policy Agent
"$opa" run --server --addr 127.0.0.1:18181 --log-level error bench/allow.rego >"$work/opa.log" 2>&1 &
for _ in $(seq 100); do curl -fs http://127.0.0.1:18181/health >/dev/null && break; sleep 0.1; done
obody="{\"input\":$body}"
curl -fs -d "$obody" http://127.0.0.1:18181/v1/data/countersign/decision | grep -q '"effect":"allow"' || { echo "bench: OPA did not allow" >&2; exit 1; }
echo "== opa v1.22.2 ($conns connections, ${secs}s)"
BODY="$obody" KEY="" wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/post.lua http://127.0.0.1:18181/v1/data/countersign/decision | tee "$work/opa.out"

cs=$(grep -o 'rps=[0-9]*' "$work/cs.out" | cut -d= -f2)
op=$(grep -o 'rps=[0-9]*' "$work/opa.out" | cut -d= -f2)
echo "ratio countersign/opa: $(awk -v a="$cs" -v b="$op" 'BEGIN{printf "%.2f", a/b}')"
