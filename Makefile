# `make test` is the test command of the README and of CI.
.PHONY: test deps vet bench

deps:
	./scripts/test-deps.sh

test: deps
	go test -count=1 ./...

vet:
	gofmt -l . | (! grep .) || (echo "gofmt needed on the files above" >&2; exit 1)
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench:
	./bench/run.sh
