#!/usr/bin/env bash
# The DLP peer benchmark: the Countersign scanner (package dlp) and gitleaks'
# detector with its default rules, one goroutine each, on the same 64 MiB of
# generated log-like text (dlp/dlpcorpus), clean / mixed / dense. gitleaks is
# only a dependency of the module bench/dlppeer, never of the product.
#
# Runs the sanity test (both find something in dense text) and BenchmarkPeer,
# prints go test's output, then a table: MB/s (min-max over the runs),
# memory per scan, findings per scan, and the ratio of the medians.
#
# Usage: [COUNT=3] [CPU=1] [TAGS=gore2regex] [BENCH=.] bench/dlp-peer.sh
#   COUNT  runs of each sub-benchmark (each run is one scan: -benchtime 1x)
#   CPU    GOMAXPROCS (-cpu); 1 keeps the garbage collector on the same core
#   TAGS   build tags; gore2regex is what gitleaks' release binaries are built
#          with (RE2 in WebAssembly instead of Go's regexp, much faster for
#          gitleaks; its memory is outside the Go heap, so not in B/op).
#          TAGS= runs gitleaks on Go's regexp, about 15 times slower.
#   BENCH  sub-benchmark filter, e.g. BENCH=Peer/clean
# DLPPEER_GITLEAKS_DECODE_DEPTH sets gitleaks' decoding passes (default 0, the
# library's; the gitleaks command's default is 5).
#
# bench/dlppeer builds the product's dlp from this work tree (replace ../..):
# when dlp gains a dependency, run `go mod tidy` in bench/dlppeer ("missing
# go.sum entry ... imported by github.com/countersign/countersign/dlp").
set -euo pipefail
cd "$(dirname "$0")/dlppeer"
count=${COUNT:-3}
cpu=${CPU:-1}
tags=${TAGS-gore2regex}
bench=${BENCH:-.}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "go test -run TestBothFindDense -bench '$bench' -benchtime 1x -count $count -cpu $cpu -tags '$tags' (in bench/dlppeer)" >&2
go test -run TestBothFindDense -bench "$bench" -benchtime 1x -count "$count" -cpu "$cpu" -tags "$tags" -timeout 3h | tee "$out"

echo
echo "64 MiB per scan, one goroutine, GOMAXPROCS=$cpu, tags '${tags}', $count run(s); MB/s min-max (median)"
echo
awk '
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	if (n % 2) return a[(n + 1) / 2]
	return (a[n / 2] + a[n / 2 + 1]) / 2
}
function lo(list,    a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
function hi(list,    a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
function cell(k) {
	if (!(k in mbs)) return "- | - | -"
	return sprintf("%s-%s (%s) | %.0f MB, %.0fk allocs | %s", lo(mbs[k]), hi(mbs[k]), median(mbs[k]), bop[k] / 1e6, allocs[k] / 1e3, found[k])
}
$1 ~ /^BenchmarkPeer\// {
	name = $1
	sub(/-[0-9]+$/, "", name)
	n = split(name, p, "/")
	k = p[2] "/" p[3]
	if (!(p[2] in seen)) { seen[p[2]] = 1; order[++ncorp] = p[2] }
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "MB/s") mbs[k] = (k in mbs) ? mbs[k] " " $i : $i
		if ($(i+1) == "B/op") bop[k] = $i
		if ($(i+1) == "allocs/op") allocs[k] = $i
		if ($(i+1) == "findings") found[k] = $i
	}
}
END {
	print "| corpus | Countersign MB/s | memory per scan | findings | gitleaks MB/s | memory per scan | findings | ratio |"
	print "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for (c = 1; c <= ncorp; c++) {
		cs = order[c] "/countersign"; gl = order[c] "/gitleaks"
		ratio = "-"
		if ((cs in mbs) && (gl in mbs) && median(mbs[gl]) > 0) ratio = sprintf("%.1f", median(mbs[cs]) / median(mbs[gl]))
		printf "| %s | %s | %s | %s |\n", order[c], cell(cs), cell(gl), ratio
	}
}' "$out"
