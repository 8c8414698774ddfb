"""A folder of 2,000 small documents over a 20 ms link: --jobs 8 and 4 against --jobs 1.

    python -m tests.perf.bench_folder            # 2,000 documents of 10-50 KB, 20 ms
    python -m tests.perf.bench_folder --quick    # 40 documents
    python -m tests.perf.bench_folder --before COMMIT  # that commit's client, alternately

Besides the time, the client's CPU per file: user + system time of the ``kafdocs
download`` process (start-up and sign-in included) divided by the documents, and of it
the system's share (sockets, and each file's create, fsync and rename), and the
sandbox's CPU per request (this process serves them). With ``--before``, each run of
the current client is followed by one of the client at COMMIT, on the same documents
(``git archive``: run it from a clone).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
from pathlib import Path

from kafdocs.sandbox.app import Sandbox, SandboxSettings
from kafdocs.sandbox.operations import Config
from kafdocs.sandbox.schema import DOCUMENT_FOLDERS, DOCUMENTS
from tests.perf.common import (
    ACCESS_KEY,
    REPO,
    compile_sources,
    env_for,
    source_tree,
    table,
    timed,
    workdir,
)


def fill(box: Sandbox, count: int) -> int:
    """A new folder of ``count`` documents, written straight into the store."""
    store, rng = box.server.store, random.Random(7)
    folder = store.insert(DOCUMENT_FOLDERS, {
        "foldername": "Archive", "description": "", "createdby": "", "sequence": "9"})
    for n in range(count):
        data = rng.randbytes(rng.randint(10_000, 50_000))
        docid = store.insert(DOCUMENTS, {
            "notes_title": f"doc {n}", "folderid": f"22x{folder}", "filename": f"doc{n}.bin",
            "assigned_user_id": "19x1", "filelocationtype": "I", "filestatus": "1",
            "filesize": str(len(data)), "modifiedtime": "2026-01-02 03:04:05"})
        tmp = store.new_blob_path()
        tmp.write_bytes(data)
        store.add_attachment(docid, f"doc{n}.bin", "application/octet-stream", len(data), tmp)
    return folder


def cpu(who: int) -> tuple[float, float]:
    """User + system time, and system time, in seconds."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime, usage.ru_stime


def download(box: Sandbox, folder: int, dest: Path, jobs: int,
             source: Path) -> tuple[float, int, dict, tuple[float, float], float]:
    before = box.server.requests_served
    client_cpu, server_cpu = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF)
    command = [sys.executable, "-m", "kafdocs", "download", "--folder", f"22x{folder}",
               "--dest", str(dest), "--jobs", str(jobs), "--json"]
    result: list[subprocess.CompletedProcess[str]] = []
    seconds = timed(lambda: result.append(subprocess.run(
        command, env=env_for(box.url), cwd=source, capture_output=True, text=True,
        check=True)))
    client_after = cpu(resource.RUSAGE_CHILDREN)
    return (seconds, box.server.requests_served - before, json.loads(result[0].stdout),
            (client_after[0] - client_cpu[0], client_after[1] - client_cpu[1]),
            cpu(resource.RUSAGE_SELF)[0] - server_cpu[0])


def run(count: int, latency_ms: float, before: str | None = None) -> str:
    work = workdir()
    clients = {"": REPO, **({f" ({before})": source_tree(before)} if before else {})}
    compile_sources(*clients.values())
    box = Sandbox(SandboxSettings(data_dir=work / "crm", access_key=ACCESS_KEY,
                                  config=Config(latency=latency_ms / 1000))).start()
    try:
        folder = fill(box, count)
        rows = []
        times = {}
        for jobs in (1, 4, 8):
            for n, (name, source) in enumerate(clients.items()):
                seconds, requests, result, (client_cpu, client_sys), server_cpu = download(
                    box, folder, work / f"j{jobs}-{n}", jobs, source)
                assert result["summary"]["finished"] == count, result["summary"]
                times[jobs, name] = seconds
                minimum = 2 + 1 + -(-count // 100) + count  # login, count, pages, files
                rows.append((f"--jobs {jobs}{name}", f"{seconds:.1f} s",
                             f"{count / seconds:.0f} docs/s",
                             f"{client_cpu / count * 1000:.2f} ms",
                             f"{client_sys / count * 1000:.2f} ms",
                             f"{server_cpu / requests * 1000:.2f} ms",
                             f"{requests} (protocol minimum {minimum}, "
                             f"+ folder name + logout = {minimum + 2})"))
        rows += [(f"speed-up --jobs {jobs}{name}", f"{times[1, name] / times[jobs, name]:.2f}x",
                  "", "", "", "", "") for name in clients for jobs in (4, 8)]
    finally:
        box.stop()
    return table(f"Folder download, {count} documents of 10-50 KB, {latency_ms:.0f} ms per "
                 "request", rows, ("run", "time", "rate", "client CPU per file",
                                "of it system", "sandbox CPU per request", "requests"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--before", metavar="COMMIT",
                        help="also run the client of this commit, after each run of this one")
    args = parser.parse_args(argv)
    print(run(40, 5, args.before) if args.quick
          else run(args.documents, args.latency_ms, args.before))


if __name__ == "__main__":
    main()
