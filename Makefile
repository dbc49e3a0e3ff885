# Make targets for staff and maintainers. `make` alone lists them.
# Windows staff without make: every target is `python -m pipeline <command>` (see README.md).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

YEAR   ?=
N      ?=
INBOX  ?=
OUTBOX ?=
CONFIG ?=
REPEAT ?=

year_arg   = $(if $(YEAR),--year $(YEAR))
inbox_arg  = $(if $(INBOX),--inbox $(INBOX))
outbox_arg = $(if $(OUTBOX),--outbox $(OUTBOX))
config_arg = $(if $(CONFIG),--config $(CONFIG))
units_arg  = $(if $(N),--units $(N))
repeat_arg = $(if $(REPEAT),--repeat $(REPEAT))

.DEFAULT_GOAL := help
.PHONY: help venv template consolidate demo review bench test lint check clean

help: ## Liệt kê các lệnh (list the targets)
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Cài môi trường Python riêng (.venv) theo pyproject.toml

template: $(STAMP) ## Tạo biểu mẫu cho các trường: make template [YEAR=2018-2019]
	$(BIN)/python -m pipeline template $(year_arg) $(config_arg) $(outbox_arg)

consolidate: $(STAMP) ## Tổng hợp các tệp trong inbox/: make consolidate [YEAR=…]
	$(BIN)/python -m pipeline consolidate $(year_arg) $(config_arg) $(inbox_arg) $(outbox_arg)

DEMO_DIR ?= demo

# make demo: the whole period (three school years, then the review); with YEAR= or N=, one year as before.
demo: $(STAMP) ## Chạy thử toàn bộ trên dữ liệu mẫu (hư cấu), trong demo/: make demo [YEAR=… N=…]
ifeq ($(YEAR)$(N),)
	$(BIN)/python -m pipeline demo --period $(config_arg) --inbox $(DEMO_DIR)/inbox --outbox $(DEMO_DIR)/outbox
else
	$(BIN)/python -m pipeline template $(year_arg) $(config_arg) --outbox $(DEMO_DIR)/outbox
	$(BIN)/python -m pipeline demo $(year_arg) $(config_arg) $(units_arg) --inbox $(DEMO_DIR)/inbox/one-year
	$(BIN)/python -m pipeline consolidate $(year_arg) $(config_arg) --inbox $(DEMO_DIR)/inbox/one-year --outbox $(DEMO_DIR)/outbox
endif

FROM ?=
TO   ?=
from_arg = $(if $(FROM),--from $(FROM))
to_arg   = $(if $(TO),--to $(TO))

review: $(STAMP) ## Tổng kết giai đoạn: make review [FROM=2017-2018 TO=2019-2020 OUTBOX=…]
	$(BIN)/python -m pipeline review $(from_arg) $(to_arg) $(config_arg) $(outbox_arg)

bench: $(STAMP) ## Đo tốc độ và bộ nhớ: make bench [N=700] [REPEAT=3] (dữ liệu mẫu giữ trong bench/)
	$(BIN)/python -m pipeline bench $(units_arg) $(repeat_arg) $(year_arg) $(config_arg)

test: $(STAMP) ## Chạy toàn bộ kiểm thử
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## Kiểm tra phong cách mã và kiểu (ruff, mypy)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,lint]'
	$(BIN)/python -m ruff check pipeline schemas tests scripts
	$(BIN)/python -m mypy

check: lint test ## lint + kiểu + kiểm thử

clean: ## Xóa môi trường .venv và bộ đệm
	rm -rf $(VENV) .pytest_cache .hypothesis
