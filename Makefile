# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what the bot needs; `make test` adds the development tools.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
SETUP_LOG := $(VENV)/setup.log
# The build backend warns about editable installs in English on every fresh install; pip's own
# warnings (-qq) are left out too, while errors still show.
PIP := PYTHONWARNINGS=ignore $(BIN)/python -m pip -qq

.PHONY: run test lint install clean

$(BIN)/python:
	@echo "正在创建虚拟环境……"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

# Reinstall whenever the project's metadata changes.
$(RUN_STAMP): $(BIN)/python pyproject.toml
	@echo "正在安装（第一次要一两分钟）……"
	@$(PIP) install -e .
	@touch $(RUN_STAMP)

$(DEV_STAMP): $(BIN)/python pyproject.toml
	@echo "正在安装（含开发和测试工具）……"
	@$(PIP) install -e '.[dev]'
	@touch $(RUN_STAMP) $(DEV_STAMP)

install: $(DEV_STAMP)

run: $(RUN_STAMP)
	@echo "正在升级数据库……"
	@$(BIN)/mingbai db upgrade > $(SETUP_LOG) 2>&1 || { cat $(SETUP_LOG); exit 1; }
	@echo "正在校验问答库、准备理解模型（第一次约 20 秒）……"
	@$(BIN)/mingbai check-kb > $(SETUP_LOG) 2>&1 || { cat $(SETUP_LOG); exit 1; }
	@echo "正在启动……"
	@$(BIN)/mingbai run

lint: $(DEV_STAMP)
	$(BIN)/ruff check bot knowledge handlers intake tests benchmarks
	$(BIN)/ruff format --check bot knowledge handlers intake tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
