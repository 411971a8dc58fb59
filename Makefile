# migrate: the two commands a newcomer needs are `make sample` and `make test`.
GO ?= go
PKGS := ./...

.PHONY: build test golden bench sample vet fmt-check fuzz-seeds

build:
	$(GO) build -o bin/migrate ./cmd/migrate

# Compile the built-in sample libraries into out/.
sample:
	$(GO) run ./cmd/migrate compile -o out

test: fmt-check vet
	$(GO) test $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Regenerate every golden file; read the diff before committing it.
golden:
	$(GO) test $(PKGS) -update

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
