# streamsql — the two commands that matter on a fresh machine:
#   make run    streamsql on the embedded durable log (data under ./data)
#   make test   every test, including integration tests against a real Kafka broker that it
#               starts (scripts/kafka.sh) and always stops
GO       ?= go
DATA_DIR ?= ./data
ARGS     ?=
BIN      := bin/streamsql
PKGS     := ./...

.PHONY: build run test unit bench lint kafka-start kafka-stop clean

build:
	$(GO) build -o $(BIN) ./cmd/streamsql

run: build
	./$(BIN) --data-dir $(DATA_DIR) $(ARGS)

# Unit tests only (no broker): Kafka tests skip themselves with a message.
unit:
	$(GO) test -count=1 $(PKGS)

test: lint
	./scripts/test.sh

bench:
	./scripts/bench.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

kafka-start:
	./scripts/kafka.sh start

kafka-stop:
	./scripts/kafka.sh stop

clean:
	rm -rf bin .kafka
