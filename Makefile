# The two commands of the README: `make run` and `make test`.
.PHONY: run stop test lint build fixtures measure bench chaos docs

run: ## Redis + computer + simulator + gateway on this machine; prints how to connect
	bash scripts/run-local.sh

stop: ## stop what `make run` left running
	bash scripts/run-local.sh stop

test: lint ## formatting, lints, then every unit, golden and integration test
	bash scripts/test.sh

lint: ## formatting, clippy with the workspace lints, and the layout (no import cycle, no file over 500 lines)
	python3 scripts/check_layout.py
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

build:
	cargo build --release --bins

fixtures: ## regenerate tests/fixtures/talib_core.json (pip install ta-lib==0.8.2 numpy)
	python3 scripts/gen_talib_fixtures.py

measure: build ## latency and memory figures of docs/measurements.md
	bash scripts/measure.sh

chaos: ## soak: 300 sessions while gateways and computers are SIGKILLed at random (CHAOS_SECS=180)
	bash scripts/chaos.sh

docs: ## rewrite docs/indicators.md's generated catalogue section from the code
	UPDATE_DOCS=1 cargo test -p shared --test docs

bench: ## every catalogue row's update/peek cost (criterion, ~10 min) beside TA-Lib's on this machine (pip install ta-lib==0.8.2 numpy)
	cargo bench -p shared --bench indicators
	python3 scripts/bench_table.py
