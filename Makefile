# The two commands a person needs: `make demo` and `make test`.
# Each installs what is missing first (scripts/setup.sh is idempotent).
.PHONY: setup pkg demo test bench mutants fmt lint clean

setup:
	@scripts/setup.sh

pkg: setup
	@scripts/build.sh

demo: pkg
	@scripts/demo.sh

test: setup
	@scripts/test.sh

bench: pkg
	@scripts/bench.sh

# Mutation testing of the core's security and data rules (slow; not in CI):
# writes bench/mutants.md. See scripts/mutants.sh.
mutants:
	@scripts/mutants.sh

clean:
	rm -rf target pkg www/dist node_modules www/node_modules
