"""Reading the JSON data files shipped under ``domain/data``.

Rates, ages, wages and regions change by decision, not by release; keeping them in data
files lets an administrator (or a province process owner) change a figure without
touching code, and lets tests point a loader at a directory of their own.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from domain.errors import DomainError

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_json(path: Path) -> Any:
    """Parse one data file; a missing or broken file is a DomainError naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DomainError(f"参数文件不存在：{path.name}") from None
    except json.JSONDecodeError as exc:
        raise DomainError(f"参数文件{path.name}格式错误：第{exc.lineno}行") from None


@cache
def load_data(relative: str) -> Any:
    """A shipped data file, parsed once per process (callers must not mutate it)."""
    return read_json(DATA_DIR / relative)
