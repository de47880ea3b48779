# Two commands do everything: `make run` (set up, build the demo database, start the dashboard)
# and `make test` (set up, run every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DB := data/curated/analytics.duckdb
PORT ?= 8501
RAW_FILES := $(shell find data/raw -type f ! -path 'data/raw/uploads/*' ! -path 'data/raw/templates/*' ! -name '*.md' 2>/dev/null)
ANALYTICS_SRC := $(shell find analytics -name "*.py" -o -name "*.yaml" -o -name "*.sql")

.PHONY: run test install demo-db benchmark screenshots clean

$(VENV)/.installed: requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# rebuilt when missing or older than any raw file or the code that loads them
$(DB): $(VENV)/.installed $(RAW_FILES) $(ANALYTICS_SRC)
	$(PY) -m analytics.demo --db $(DB)

demo-db: $(DB)

run: demo-db
	ANALYTICS_DB=$(DB) $(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: install
	$(VENV)/bin/python -m pytest

benchmark: demo-db
	$(PY) benchmarks/ingest_speed.py --runs 3
	$(PY) benchmarks/scale_speed.py --runs 3
	$(PY) benchmarks/interaction_speed.py --db $(DB)
	$(PY) benchmarks/hostile_speed.py

screenshots: demo-db
	$(PY) benchmarks/screenshots.py
	$(PY) benchmarks/memo_page.py

clean:
	rm -f $(DB) $(DB).wal $(DB).lock
