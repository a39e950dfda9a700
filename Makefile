# `make test` is the test command of the README and of CI.
.PHONY: test deps vet bench

deps:
	./scripts/test-deps.sh

test: deps
	go test ./...

vet:
	gofmt -l . | (! grep .) || (echo "gofmt needed on the files above" >&2; exit 1)
	go vet ./...

bench:
	./bench/run.sh
