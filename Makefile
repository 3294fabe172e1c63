# LabelFleet developer entry points. The real work is in scripts/ (each runs on its own too).
SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= 2
# Every C++ source and header of the project (not build output, not vendored code).
CXX_DIRS   := cmd domain adapters projections tests bench
CXX_FILES   = $(shell find $(CXX_DIRS) -type f \( -name '*.cpp' -o -name '*.cc' -o -name '*.hpp' -o -name '*.h' \) 2>/dev/null | sort)

.PHONY: help run test build bench format lint clean deps

help: ## list the targets
	@echo "LabelFleet make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 16

deps: ## install the Debian packages (scripts/install-deps.sh; apt as root or via sudo)
	@scripts/install-deps.sh

build: ## configure and build into build/ (add WERROR=1 for -Werror)
	@scripts/install-deps.sh
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(if $(WERROR),-DLABELFLEET_WERROR=ON)
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: ## build and run everything in one process with a private PostgreSQL in .run/ (Ctrl-C stops)
	@scripts/run.sh

test: ## build with -Werror and run all tests against a throw-away PostgreSQL in .test-run/
	@scripts/test.sh

bench: build ## command-path benchmark: pgbench ceiling vs wrk on POST/PUT /api/roles (see bench/README.md)
	@bench/command_path.sh

format: ## clang-format -i every C++ file
	@files="$(CXX_FILES)"; [ -z "$$files" ] || clang-format -i $$files

lint: ## clang-format check + clang-tidy (warnings are errors)
	@scripts/lint.sh

clean: ## delete build output and the test cluster (keeps .run/, the dev database)
	@[ ! -e .test-run ] || scripts/pg.sh destroy .test-run
	rm -rf $(BUILD_DIR) .test-run bench/.run bench/.run-startup compile_commands.json
