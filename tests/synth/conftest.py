"""The synthesis tests share the verifier tests' small shop (tests/verify/verify_fixture_store.py)."""

import sys
from pathlib import Path

_VERIFY = str(Path(__file__).resolve().parents[1] / "verify")
if _VERIFY not in sys.path:
    sys.path.insert(0, _VERIFY)
