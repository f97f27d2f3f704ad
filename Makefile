# Thin wrapper around CMake/CTest. The two commands that matter: `make demo` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian 12 packages the build, the tests and the demo need (prometheus: promtool, which the
# metrics tests run on the daemon's /metrics text; python3-aiosmtpd: the SMTP server the mail tests
# and the demo send to; openssl: the self-signed certificate the SMTP TLS tests make for it).
DEPS := cmake g++ make pkg-config \
	libasio-dev libcurl4-openssl-dev rapidjson-dev libsqlite3-dev libyaml-cpp-dev \
	libspdlog-dev catch2 libcli11-dev libhowardhinnant-date-dev libcpp-httplib-dev \
	libsystemd-dev libssl-dev tzdata ca-certificates systemd sqlite3 util-linux \
	dpkg-dev file lintian man-db groff-base zsh \
	prometheus chromium python3-aiosmtpd openssl

.PHONY: all build deps test demo install package clean format bench soak fuzz test-asan test-tsan

all: build

deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing missing packages: $$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "All build dependencies are installed."; \
	fi

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: deps
	$(MAKE) build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: deps
	$(MAKE) build
	./scripts/demo.sh $(BUILD_DIR)

install: build
	cmake --install $(BUILD_DIR)

# Two packages: rosterd (daemon, rosterctl, units, manuals, completion) and rosterd-sim.
package: build
	cd $(BUILD_DIR) && cpack -G DEB

bench: deps
	$(MAKE) build
	./bench/run.sh $(BUILD_DIR)

# The long reliability tests (hidden from ctest): kill -9 during syncs and applying runs, socket
# abuse, many times. Each kill loop prints its seed; ROSTERD_CRASH_SEED=N replays one.
SOAK_ITERATIONS ?= 50
soak: deps
	$(MAKE) build
	cd $(BUILD_DIR) && ROSTERD_SOAK_ITERATIONS=$(SOAK_ITERATIONS) \
		./tests/rosterd_integration_tests "[soak]" --durations yes

# libFuzzer targets (clang), in their own build tree; each runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_BUILD_DIR ?= build-fuzz
fuzz:
	CC=clang CXX=clang++ cmake -S fuzz -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS)
	./fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

# The whole suite under sanitizers, each in its own build tree (alloc_dealloc_mismatch: a false
# positive in Asio 1.22's recycling allocator; tsan.supp: races inside the uninstrumented
# libcpp-httplib).
SANITIZER_CMAKE = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g"
test-asan: deps
	cmake -S . -B build-asan $(SANITIZER_CMAKE) $(CMAKE_FLAGS) \
		-DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize-recover=pointer-overflow -fno-omit-frame-pointer"
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ROSTERD_SANITIZER=asan ASAN_OPTIONS=alloc_dealloc_mismatch=0:detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/sanitizers/ubsan.supp \
		ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-tsan: deps
	cmake -S . -B build-tsan $(SANITIZER_CMAKE) $(CMAKE_FLAGS) \
		-DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer"
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && ROSTERD_SANITIZER=tsan \
		TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/sanitizers/tsan.supp \
		ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR)
