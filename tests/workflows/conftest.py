"""The diagram-path tests use the shared `system`, `employer` and `staff` fixtures of
tests/conftest.py; this folder's helpers live in wfkit.py (importable as `wfkit`)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
