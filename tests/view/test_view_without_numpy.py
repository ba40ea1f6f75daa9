"""The view is part of the core install, which has no numpy: its graph layout must not need it."""

from __future__ import annotations

import subprocess
import sys


def test_the_graph_layout_runs_without_numpy() -> None:
    code = (
        "import sys; sys.modules['numpy'] = None\n"  # importing numpy now fails, as without it
        "from hardgen.view._graph_view import _layout\n"
        "edges = [{'s': a, 't': b} for a, b in [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5)]]\n"
        "pos = _layout(list(range(7)), edges, seed=3)\n"
        "assert sorted(pos) == list(range(7)) and all(abs(x) <= 1 and abs(y) <= 1 for x, y in pos.values())\n"
        "assert pos == _layout(list(range(7)), edges, seed=3)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
