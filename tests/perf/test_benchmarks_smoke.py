"""Each benchmark runs on tiny sizes, so the scripts cannot rot between real runs.

They start servers, helpers and windows in processes of their own (half a minute in
all): marked slow, they run in CI (.ci/run) and with ``pytest -m slow``, not in the
everyday suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

@pytest.mark.parametrize("name", ["bench_transfer", "bench_folder", "bench_gui", "bench_watch",
                                  "bench_dead_server", "bench_bundle"])
def test_benchmark_runs_and_prints_its_table(name: str) -> None:
    if name == "bench_transfer" and shutil.which("curl") is None:
        pytest.skip("curl is the reference and is not installed")
    out = subprocess.run([sys.executable, "-m", f"tests.perf.{name}", "--quick"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr[-3000:]
    assert "----" in out.stdout  # the table
