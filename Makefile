# AttnScope: the two quick-start commands, and the developer extras.
#   make run    build and open the GUI on the built-in sample
#   make test   build and run the whole suite through ctest
# Both install missing Debian packages first (as root, or through sudo).

BUILD     ?= build
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
FUZZ_SECONDS ?= 60

PACKAGES := cmake ninja-build g++ pkg-config git \
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-svg-dev \
  qt6-l10n-tools qt6-translations-l10n \
  libeigen3-dev libimgui-dev nlohmann-json3-dev libicu-dev fonts-noto-cjk \
  xvfb xauth libgl1-mesa-dri
FUZZ_PACKAGES := clang libclang-rt-14-dev

# Run ctest under a virtual display when there is no real one.
XVFB := $(if $(DISPLAY),,xvfb-run -a -s "-screen 0 1600x1000x24")

.PHONY: all deps build test run clean test-sanitize fuzz fuzz-deps

all: build

deps:
	@./scripts/install-deps.sh $(PACKAGES)

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && $(XVFB) ctest --output-on-failure --no-tests=error -j $(JOBS)

run: build
	$(BUILD)/app/gui/attnscope

test-sanitize: deps
	cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTNSCOPE_SANITIZE=ON -DATTNSCOPE_CUDA=OFF
	cmake --build build-sanitize -j $(JOBS)
	cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 $(XVFB) ctest --output-on-failure --no-tests=error -j $(JOBS)

fuzz-deps:
	@./scripts/install-deps.sh $(FUZZ_PACKAGES)

fuzz: deps fuzz-deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTNSCOPE_FUZZ=ON -DATTNSCOPE_GUI=OFF -DATTNSCOPE_CUDA=OFF -DATTNSCOPE_TESTS=OFF
	cmake --build build-fuzz -j $(JOBS)
	./scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) build-sanitize build-fuzz
