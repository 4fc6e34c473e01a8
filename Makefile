# TelePT: `make run` serves the demo, `make test` runs every test. Each installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PORT ?= 8000
export DEBUG ?= 1
export TELEPT_DEMO ?= 1
# The git-ignored settings file `make run` writes once (settings.py reads it; see bin/write-dotenv).
ENV_FILE := $(or $(TELEPT_ENV_FILE),.env)

.PHONY: run test check bench install install-test system-test-deps clean serve messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/htmx.min.js: node_modules/.installed
	mkdir -p static/vendor && cp node_modules/htmx.org/dist/htmx.min.js $@

# MediaPipe Pose for the browser (home-session camera), served from our static files, never a
# CDN. Only the runtime: pose.js, its wasm builds (SIMD and plain; it picks one at run time),
# the packed assets and graph, and the "full" landmark model (modelComplexity 1); not lite/heavy.
# pose.js is listed last so that it is the newest file, which is what make compares.
MEDIAPIPE_POSE_FILES := pose_solution_packed_assets_loader.js pose_solution_packed_assets.data \
	pose_solution_simd_wasm_bin.js pose_solution_simd_wasm_bin.wasm \
	pose_solution_simd_wasm_bin.data pose_solution_wasm_bin.js pose_solution_wasm_bin.wasm \
	pose_web.binarypb pose_landmark_full.tflite pose.js

static/vendor/mediapipe-pose/pose.js: node_modules/.installed
	mkdir -p $(@D)
	cp $(addprefix node_modules/@mediapipe/pose/,$(MEDIAPIPE_POSE_FILES)) $(@D)/

# Swagger UI for /api/v1/docs, from our static files (the CSP allows no CDN and no inline script).
static/vendor/swagger-ui/swagger-ui-bundle.js: node_modules/.installed
	mkdir -p $(@D)
	cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js $(@D)/

# FullCalendar 6.1 (MIT; the standard bundle: timeGrid, dayGrid, interaction) for the staff
# calendar. v6 injects its CSS from JS, which the CSP (style-src 'self') refuses, so its style
# strings are written out as a plain stylesheet (bin/fullcalendar-css.js; v7 ships one).
static/vendor/fullcalendar/index.global.min.js: node_modules/.installed
	mkdir -p $(@D)
	node bin/fullcalendar-css.js node_modules/fullcalendar/index.global.js $(@D)/fullcalendar.css
	cp node_modules/fullcalendar/index.global.min.js node_modules/fullcalendar/LICENSE.md $(@D)/

VENDOR := static/vendor/htmx.min.js static/vendor/mediapipe-pose/pose.js \
	static/vendor/swagger-ui/swagger-ui-bundle.js static/vendor/fullcalendar/index.global.min.js

install: $(VENV)/.installed $(VENDOR)

run: install
	$(BIN)/python bin/write-dotenv $(ENV_FILE) $(PORT)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	bin/run-demo $(ENV_FILE)

# Production (deploy/README.md): refuses demo settings, so the demo defaults above are not
# passed on unless they came from the environment. SERVE_ARGS="--workers 4" adds options.
SERVE_UNSET := $(if $(filter file,$(origin DEBUG)),-u DEBUG) \
	$(if $(filter file,$(origin TELEPT_DEMO)),-u TELEPT_DEMO)
serve: install
	env $(SERVE_UNSET) $(BIN)/python manage.py serve $(SERVE_ARGS)

system-test-deps:
	@bin/ensure-system-packages

# DEBUG and TELEPT_DEMO are the demo's; the suite runs as production does (see telept/lib/pytest_env.py).
test: $(VENV)/.installed-test $(VENDOR) system-test-deps
	env -u DEBUG -u TELEPT_DEMO $(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.installed-test
	$(BIN)/ruff check telept bench
	$(BIN)/mypy telept

# The Spanish catalogues: extract (needs GNU gettext), then compile with polib; commit the
# .po and .mo (telept/tests/test_translation_catalogue.py checks the .mo is up to date).
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore='static/vendor/*' \
	--ignore='var/*' --ignore='bench/*' --ignore='docs/*' --no-obsolete
messages: $(VENV)/.installed-test
	$(BIN)/python manage.py makemessages -l es $(MESSAGES_IGNORE)
	$(BIN)/python manage.py catalogue_js
	$(BIN)/python manage.py catalogue_compile

# Every bench prints its figures; one that fails does not hide the others' (listed at the end).
bench: $(VENV)/.installed-test $(VENDOR) system-test-deps
	@failed=""; for script in bench/bench_*.py; do echo "== $$script"; \
	  $(BIN)/python $$script || failed="$$failed $$script"; done; \
	  if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) node_modules static/vendor var
