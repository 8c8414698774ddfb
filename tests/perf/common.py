"""Shared by the benchmarks: a sandbox in its own process, timing, peak memory, tables.

Benchmarks print figures; they assert nothing about time. Run one with
``python -m tests.perf.NAME`` (``--quick`` for a smoke run with tiny sizes).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ACCESS_KEY = "bench-key"
MiB = 1 << 20


@contextmanager
def sandbox_process(data: Path, *extra: str) -> Iterator[str]:
    """``kafdocs sandbox`` in a child process; yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kafdocs", "sandbox", "--port", "0", "--data", str(data),
         "--user", "admin", "--access-key", ACCESS_KEY, *extra],
        stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[2]
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def env_for(url: str) -> dict[str, str]:
    return {**compiled_env(), "KAFDOCS_URL": url, "KAFDOCS_USER": "admin",
            "KAFDOCS_ACCESS_KEY": ACCESS_KEY}


def compiled_env() -> dict[str, str]:
    """The environment for a child Python that keeps compiled modules (``__pycache__``),
    as an installed kafdocs has them (pip compiles at install time).

    Without it, where ``PYTHONDONTWRITEBYTECODE`` is set, every start compiles
    kafdocs' sources again: 0.2 s of CPU a start, which is not the app's.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_sources(*trees: Path) -> None:
    """Compile kafdocs (this one, or these source trees) before anything is timed."""
    roots = [str(tree / "kafdocs") for tree in (trees or (REPO,))]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *roots], env=compiled_env(),
                   check=True, stdout=subprocess.DEVNULL)


REPO = Path(__file__).parents[2]


def source_tree(commit: str) -> Path:
    """kafdocs as it was at ``commit`` (``git archive``), to compare with: a scratch copy.
    ``python -m kafdocs`` run with this folder as its working directory runs that one."""
    dest = workdir() / f"kafdocs-{commit}"
    dest.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "kafdocs"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def peak_rss_mib(command: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one command, measured from a fresh wrapper process."""
    wrapper = ("import resource, subprocess, sys, json; "
               "r = subprocess.run(json.loads(sys.argv[1]), stdout=subprocess.DEVNULL); "
               "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", wrapper, json.dumps(command)], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "0":
        raise RuntimeError(f"{command} failed")
    return int(out[1]) / 1024


def make_file(path: Path, size: int) -> Path:
    """Incompressible content, written in chunks (never the whole file in memory)."""
    block = os.urandom(min(size, 4 * MiB)) if size else b""
    with path.open("wb") as f:
        left = size
        while left > 0:
            f.write(block[:left])
            left -= len(block[:left])
    return path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(4 * MiB):
            h.update(chunk)
    return h.hexdigest()


def summary(samples: list[float]) -> tuple[float, float, float]:
    return statistics.median(samples), min(samples), max(samples)


def table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = [f"\n{title}", "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
           line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def workdir() -> Path:
    """A scratch directory, removed when the benchmark ends: runs leave gigabytes."""
    path = Path(tempfile.mkdtemp(prefix="kafdocs-bench-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
