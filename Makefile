# The two commands: `make run` and `make test`. Both install what is missing first.
.PHONY: setup web build release run test test-asan bench fuzz format lint clean

DATA_DIR ?= var/demo
HTTP ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)
# ctest runs tests in parallel; integration tests each start their own server on free ports.
CTEST_JOBS ?= $(JOBS)

setup:
	@scripts/setup

# The agent app (web/ → web/dist), served by switchboard at `/`.
web: setup
	@scripts/build-web

build: setup web
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

release: setup web
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# Starts the server with demo data (provisioned only into an empty data dir; the demo
# passwords are printed once, on the first run).
run: release
	@mkdir -p $(DATA_DIR)
	./build/release/switchboard serve --data-dir $(DATA_DIR) --demo --http $(HTTP)

test: build
	@cd build/debug && ctest --output-on-failure -j $(CTEST_JOBS) --timeout 300

test-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@cd build/asan && ctest --output-on-failure -j $(CTEST_JOBS) --timeout 600

bench: release
	@bench/run-all

fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@echo "fuzz targets: build/fuzz/fuzz_*  (e.g. build/fuzz/fuzz_provisioning tests/fuzz/provisioning/corpus)"

format:
	@find src tests bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

lint:
	@tools/check-layers src

clean:
	rm -rf build
