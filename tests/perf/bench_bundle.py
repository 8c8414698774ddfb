"""The Linux bundle: its size on disk, its tarball, and its start-up to a populated window.

    bash packaging/build-linux.sh              # first: dist/kafdocs/ and its tarball
    python -m tests.perf.bench_bundle          # 7 starts of each
    python -m tests.perf.bench_bundle --quick  # 2 starts (smoke run; no bundle: says so)
    python -m tests.perf.bench_bundle --before COMMIT  # and from the source of COMMIT

Start-up is timed from launching ``kafdocs --demo --smoke-test`` (offscreen) to the line
it prints once the demo folder's documents are listed, for the bundle and for the same
code run from source (compiled, as installed), alternately, in the same run; with
``--before``, the source of COMMIT too (``git archive``: run it from a clone). All find
their files in the page cache (a start right after boot would read them from disk first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.perf.common import compile_sources, compiled_env, source_tree, summary, table

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "kafdocs"


def size_mb(path: Path) -> float:
    """Bytes of the files (not of the disk blocks), as an unpacked archive holds them."""
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 1e6


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its children still running (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def start_up(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Seconds from launch to the smoke test's "documents listed" line, and the CPU
    seconds the app and its demo server had used by then (the load of a shared machine
    stretches the first, hardly the second)."""
    started = time.perf_counter()
    proc = subprocess.Popen([*command, "--demo", "--smoke-test"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=cwd,
                            env={**compiled_env(), "QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout is not None
    for line in proc.stdout:
        if "documents listed" in line:
            elapsed, cpu = time.perf_counter() - started, cpu_seconds(proc.pid)
            break
    else:
        raise RuntimeError(f"{command[0]} never listed the documents")
    proc.wait(60)
    return elapsed, cpu


def run(starts: int, before: str | None = None) -> str:
    python = [sys.executable, "-m", "kafdocs"]
    kinds: dict[str, tuple[list[str], Path]] = {}
    rows = []
    if (BUNDLE / "kafdocs").exists():
        kinds["bundle"] = ([str(BUNDLE / "kafdocs")], ROOT)
        rows += [("dist/kafdocs, unpacked", f"{size_mb(BUNDLE):.1f} MB",
                  f"{sum(1 for p in BUNDLE.rglob('*') if p.is_file())} files")]
        rows += [(f"tarball {tarball.name}", f"{tarball.stat().st_size / 1e6:.1f} MB", "")
                 for tarball in sorted(BUNDLE.parent.glob("kafdocs-linux-*.tar.gz"))]
    else:
        rows.append(("dist/kafdocs", "not built", "run packaging/build-linux.sh"))
    kinds["from source"] = (python, ROOT)
    if before:
        kinds[f"from source at {before}"] = (python, source_tree(before))
    compile_sources(*(cwd for command, cwd in kinds.values() if command == python))
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in kinds}
    for _ in range(starts):  # alternately, so all meet the same load
        for name, (command, cwd) in kinds.items():
            samples[name].append(start_up(command, cwd))
    for name in kinds:
        median, low, high = summary([wall for wall, _ in samples[name]])
        cpu, cpu_low, cpu_high = summary([cpu for _, cpu in samples[name]])
        rows.append((f"start-up to a populated demo window, {name}", f"{median:.2f} s",
                     f"{low:.2f}-{high:.2f} s over {starts} starts"))
        rows.append((f"  CPU used by then (app + demo server), {name}", f"{cpu:.2f} s",
                     f"{cpu_low:.2f}-{cpu_high:.2f} s"))
    if "bundle" in samples:
        ratio = (summary([w for w, _ in samples["bundle"]])[0]
                 / summary([w for w, _ in samples["from source"]])[0])
        rows.append(("ratio bundle / source", f"{ratio:.2f}x", ""))
    return table("Linux bundle", rows, ("what", "figure", "range"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--starts", type=int, default=7)
    parser.add_argument("--before", metavar="COMMIT",
                        help="also start the source of this commit, alternately")
    args = parser.parse_args(argv)
    print(run(2 if args.quick else args.starts, args.before))


if __name__ == "__main__":
    main()
