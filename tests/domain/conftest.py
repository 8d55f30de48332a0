"""Make the project importable when pytest is run as a script (`pytest tests/domain`).

The package is not installed in the shared virtualenv and pytest's default import mode
only puts this folder on sys.path; `python -m pytest` would add the project root itself.
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
