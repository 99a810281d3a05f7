# bcq-kit: build, test and notebook entry points. `make help` lists the targets.
#
# The Python side (Jupyter, the JJava kernel, nbclient) lives in .venv, or in the active conda
# environment when that one has jjava installed (conda env create -f environment.yml).
# Pins: bin/requirements.txt, shared with environment.yml.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
REQUIREMENTS := $(ROOT)/bin/requirements.txt
PROFILE := $(or $(BCQ_PROFILE),quick)
MVN := mvn -B

# A conda env counts only if it really carries the kernel; otherwise .venv is used.
CONDA_PY := $(if $(CONDA_PREFIX),$(CONDA_PREFIX)/bin/python)
USE_CONDA := $(if $(CONDA_PY),$(shell "$(CONDA_PY)" -c 'import importlib.metadata as m; m.version("jjava")' >/dev/null 2>&1 && echo yes))
ENV_PREFIX := $(if $(USE_CONDA),$(CONDA_PREFIX),$(ROOT)/.venv)
PY := $(ENV_PREFIX)/bin/python
# .venv is make's own: a stamp records which pins it holds. A conda env is only checked, on every run.
ENV_READY := $(if $(USE_CONDA),conda-check,$(ROOT)/.venv/.bcq-requirements.txt)

LIB_JAR := $(ROOT)/lib/target/bcq-lib.jar
LIB_SOURCES := $(ROOT)/pom.xml $(ROOT)/lib/pom.xml $(shell find $(ROOT)/lib/src -type f 2>/dev/null)
NOTEBOOKS := $(sort $(wildcard $(ROOT)/notebooks/[0-9]*.ipynb))

# Every Maven call compiles against the kernel's jjava.jar, which only exists once the env does;
# a plain assignment so that a failure stops the recipe instead of handing Maven an empty path.
FIND_JAR = jar=$$("$(PY)" "$(ROOT)/bin/setup-kernel" --print-jar)

# Compares the installed versions with the pins, for conda envs that make does not manage itself.
define CHECK_PINS
import importlib.metadata as m, sys
bad = []
for line in open(sys.argv[1]):
    req = line.split("#")[0].strip()
    if req:
        name, _, want = req.partition("==")
        try:
            have = m.version(name)
        except m.PackageNotFoundError:
            have = "missing"
        if have != want:
            bad.append(f"{name} {have} (pinned {want})")
if bad:
    sys.exit(f"{sys.prefix}: " + ", ".join(bad) + "; run: conda env update -f environment.yml")
endef
export CHECK_PINS

.PHONY: help venv build kernel run test lab jmh data clean

help: ## list the targets
	@echo "Python env: $(ENV_PREFIX)$(if $(USE_CONDA), (conda),)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20
	@echo "Variables: BCQ_PROFILE=smoke|quick|full (make run, default quick), BCQ_KERNEL_HEAP (default 8g)"

venv: $(ENV_READY) ## create .venv with the pinned Jupyter/JJava/nbclient (or check the conda env)

.PHONY: conda-check
conda-check:
	@"$(PY)" -c "$$CHECK_PINS" "$(REQUIREMENTS)"

$(ROOT)/.venv/.bcq-requirements.txt: $(REQUIREMENTS)
	@test -x "$(PY)" || python3 -m venv "$(ROOT)/.venv"
	"$(PY)" -m pip install -q -r "$(REQUIREMENTS)"
	@cp "$(REQUIREMENTS)" "$@"

build: $(LIB_JAR) ## build lib/target/bcq-lib.jar and its runtime classpath (skips tests)

$(LIB_JAR): $(LIB_SOURCES) | $(ENV_READY)
	$(FIND_JAR); cd "$(ROOT)" && $(MVN) -q package -DskipTests -Djjava.jar="$$jar"
	@touch "$@"

kernel: build ## point the env's `java` kernel at lib (classpath, JVM options, notebooks/setup.jshell)
	@"$(PY)" "$(ROOT)/bin/setup-kernel"

run: kernel ## execute notebooks/[0-9]*.ipynb headless into runs/$BCQ_PROFILE/notebooks/
	cd "$(ROOT)" && BCQ_PROFILE=$(PROFILE) "$(PY)" bin/run-notebooks $(NOTEBOOKS)

test: venv ## JUnit, kernel integration tests, then every notebook with BCQ_PROFILE=smoke
	$(FIND_JAR); cd "$(ROOT)" && $(MVN) verify -Djjava.jar="$$jar"
	@$(MAKE) test-on-kit-jdk
	@touch "$(LIB_JAR)"
	@$(MAKE) kernel
	cd "$(ROOT)" && "$(PY)" -m unittest discover -s notebooks/tests -t notebooks/tests -v
	cd "$(ROOT)" && BCQ_PROFILE=smoke "$(PY)" bin/run-notebooks $(NOTEBOOKS)

# Maven tests on its own JDK; bin/bcq and the notebooks run on bin/jdk's (25 where installed), where the kernels take
# another code path (bcqkit.kernel.PreparedBcq.SmallBatch). So the kernels' and the engine's tests run there too.
.PHONY: test-on-kit-jdk
test-on-kit-jdk:
	$(FIND_JAR); cd "$(ROOT)"; kit="$$(bin/jdk)"; maven="$$($(MVN) -v | sed -n 's/.*runtime: //p')"; \
	if [[ "$$(readlink -f "$$kit")" == "$$(readlink -f "$$maven")" ]]; then \
	  echo "test: Maven runs on the kit's JDK ($$kit): no second run"; \
	else \
	  echo "test: the kernels' and the engine's tests again, on the kit's JDK $$kit"; \
	  $(MVN) -pl lib surefire:test -Djjava.jar="$$jar" -Djvm="$$kit/bin/java" -Dbcq.jvm.options="$$(bin/jdk --jvm-options)" \
	    -Dtest='bcqkit.kernel.*Test,bcqkit.engine.*Test'; \
	fi

# Jupyter refuses to run as root unless told; root is the norm in containers.
lab: kernel ## start JupyterLab on notebooks/ (JUPYTER_PORT etc. are honoured)
	cd "$(ROOT)" && "$(PY)" -m jupyter lab $$([[ $$(id -u) -ne 0 ]] || echo --allow-root) notebooks/

data: build ## download the TED pt-en corpus into data/cache/pt-en and verify it (needs internet access)
	cd "$(ROOT)" && bin/bcq data fetch

# JMH forks its benchmark JVMs with the host's java and JVM options, so the host starts as bin/bcq does.
jmh: build ## JMH benchmarks in lib (bcqkit.bench); pass options with JMH_ARGS='-p size=4096'
	cd "$(ROOT)" && "$$(bin/jdk)/bin/java" $$(bin/jdk --jvm-options) -cp "$(LIB_JAR):$$(cat lib/target/classpath.txt)" org.openjdk.jmh.Main $(or $(JMH_ARGS),QuantizeBenchmark)

clean: ## delete lib/target; keeps .venv and runs/ (results can take hours to recompute)
	rm -rf "$(ROOT)/lib/target"
