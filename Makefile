# `make test` is the test command of the README and of CI.
.PHONY: test deps vet bench

# The npm test peers (real MCP servers and clients, pinned in
# testdata/mcp/package-lock.json); npm writes this file last when it installs.
NPM_PEERS := testdata/mcp/node_modules/.package-lock.json

deps:
	./scripts/test-deps.sh

test: deps $(NPM_PEERS)
	go test -count=1 ./...

# Installed again only when the lock file or package.json is newer than the
# installed tree. Without npm the tests that need the peers skip (fail in CI).
$(NPM_PEERS): testdata/mcp/package-lock.json testdata/mcp/package.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "installing the npm test peers: npm ci --prefix testdata/mcp" >&2; \
		npm ci --prefix testdata/mcp --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: the tests that drive the npm MCP peers will skip (install Node.js 20+, then npm ci --prefix testdata/mcp)" >&2; \
	fi

vet:
	gofmt -l . | (! grep .) || (echo "gofmt needed on the files above" >&2; exit 1)
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench:
	./bench/run.sh
