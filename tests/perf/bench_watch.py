"""The hot folder: what ``kafdocs watch`` costs when idle, and how fast it files a burst.

    python -m tests.perf.bench_watch            # 60 s idle, 1,000 files dropped at once
    python -m tests.perf.bench_watch --quick    # a smoke run: 2 s idle, 20 files

The watcher runs as the user runs it (``kafdocs watch DIR --folder F --json``, default
settle time and parallel jobs) against a sandbox in its own process. CPU time and
memory come from /proc (Linux). ``kafdocs upload`` of the same files, with as many
parallel jobs, is the reference: on a shared machine both move with its load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.perf.common import env_for, sandbox_process, table, timed, workdir


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def idle(pid: int, seconds: float) -> tuple[float, float]:
    """CPU share (%) and resident memory (MiB) over ``seconds`` of doing nothing."""
    cpu, started = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    share = (cpu_seconds(pid) - cpu) / (time.monotonic() - started) * 100
    return share, memory_mib(pid, "VmRSS")


class Lines:
    """Reads the watcher's JSON lines on a thread; counts the filed ones."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.filed = 0
        self.last = 0.0
        self.watching = threading.Event()
        self.changed = threading.Condition()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            event = json.loads(line)["event"]
            with self.changed:
                if event == "watching":
                    self.watching.set()
                elif event == "filed":
                    self.filed += 1
                    self.last = time.monotonic()
                elif event == "failed":
                    print("failed:", line.strip(), file=sys.stderr)
                self.changed.notify_all()

    def wait_filed(self, count: int, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.filed >= count, timeout)


def drop(staging: Path, inbox: Path, count: int) -> float:
    """Write ``count`` small PDFs aside, then move them all in; returns when the last landed."""
    staging.mkdir()
    for n in range(count):
        (staging / f"scan-{n:05}.pdf").write_bytes(b"%PDF-1.4\n" + bytes(2_000 + n % 7000))
    for path in sorted(staging.iterdir()):
        path.rename(inbox / path.name)
    return time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny sizes")
    args = parser.parse_args()
    idle_seconds, count = (2.0, 20) if args.quick else (60.0, 1000)
    work = workdir()
    inbox = work / "inbox"
    inbox.mkdir()
    with sandbox_process(work / "sandbox") as url:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kafdocs", "watch", str(inbox), "--folder", "22x1",
             "--json"], env=env_for(url), stdout=subprocess.PIPE, text=True)
        try:
            lines = Lines(proc)
            if not lines.watching.wait(60):
                raise RuntimeError("the watcher did not start")
            cpu_idle, rss_idle = idle(proc.pid, idle_seconds)
            dropped = drop(work / "staging", inbox, count)
            if not lines.wait_filed(count, 600):
                raise RuntimeError(f"only {lines.filed} of {count} filed")
            burst = lines.last - dropped
            peak = memory_mib(proc.pid, "VmHWM")
            cpu_after, rss_after = idle(proc.pid, idle_seconds)
        finally:
            proc.terminate()
            proc.wait(15)
        filed_dir = len(list((inbox / "Filed").iterdir()))
        reference = timed(lambda: subprocess.run(
            [sys.executable, "-m", "kafdocs", "upload", "--folder", "22x1", "--jobs", "4",
             str(inbox / "Filed")], env=env_for(url), check=True, capture_output=True))
    rows = [
        ("idle, before the burst", f"{idle_seconds:.0f} s", f"{cpu_idle:.2f} %",
         f"{rss_idle:.1f} MiB", ""),
        (f"{count} files dropped at once", f"{burst:.1f} s", "", f"{peak:.1f} MiB (peak)",
         f"{count / burst:.0f} files/s, {filed_dir} in Filed/"),
        ("idle, after the burst", f"{idle_seconds:.0f} s", f"{cpu_after:.2f} %",
         f"{rss_after:.1f} MiB", ""),
        (f"reference: kafdocs upload of the same {count}", f"{reference:.1f} s", "", "",
         "start-up and sign-in included"),
    ]
    print(table("kafdocs watch (default settle 2 s, 4 parallel uploads, sandbox on loopback)",
                rows, ("phase", "time", "CPU", "memory (RSS)", "")))
    print(f"exit status after SIGTERM: {proc.returncode}")


if __name__ == "__main__":
    main()
