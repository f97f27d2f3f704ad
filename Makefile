# Thin wrapper around CMake/CTest. The two commands that matter: `make demo` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian 12 packages the build, the tests and the demo need.
DEPS := cmake g++ make pkg-config \
	libasio-dev libcurl4-openssl-dev rapidjson-dev libsqlite3-dev libyaml-cpp-dev \
	libspdlog-dev catch2 libcli11-dev libhowardhinnant-date-dev libcpp-httplib-dev \
	libsystemd-dev libssl-dev tzdata ca-certificates systemd sqlite3

.PHONY: all build deps test demo install package clean format bench

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

package: build
	cd $(BUILD_DIR) && cpack -G DEB

bench: deps
	$(MAKE) build
	./bench/run.sh $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR)
