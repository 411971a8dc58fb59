# migrate: the two commands a newcomer needs are `make sample` and `make test`.
GO ?= go
PKGS := ./...

.PHONY: build test race golden bench sample vet fmt-check fuzz-seeds

build:
	$(GO) build -o bin/migrate ./cmd/migrate

# Compile the built-in sample libraries into out/.
sample:
	$(GO) run ./cmd/migrate compile -o out

test: fmt-check vet
	$(GO) test $(PKGS)

# The race detector on the packages with concurrency proven against
# embedded etcd; their trial counts shrink under -race.
race:
	$(GO) test -race -timeout 20m ./memo ./latch ./etcdgw

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

# End-to-end: the scenarios of e2e/testdata run on a real kube-apiserver
# and Argo controller, on loopback, with a fake kubelet (see e2e/), on Argo
# v3 and on Argo v4 side by side (each in its own network namespace). The
# first run builds kube-apiserver and both Argo versions into
# $HOME/.cache/migrate-e2e; later runs reuse them.
.PHONY: e2e e2e-unit e2e-v3 e2e-v4
e2e: e2e-unit
	$(MAKE) -O -j2 e2e-v3 e2e-v4

e2e-unit:
	cd e2e && $(GO) vet ./... && $(GO) test -count=1 ./scenario/ ./kubelet/

e2e-v3 e2e-v4:
	cd e2e && MIGRATE_E2E_ARGO=$(@:e2e-%=%) $(GO) test -count=1 -v -timeout 70m .
