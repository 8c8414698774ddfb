"""A server that is down: how soon the user is told, and how many tries it took.

    python -m tests.perf.bench_dead_server           # 2,000 files per drop
    python -m tests.perf.bench_dead_server --quick   # 50 files (smoke run)

Scenarios: signing in to a refused port and to an unknown host; a drop of N files
while the server is down (its process killed after sign-in, so kept-alive connections
break as they do in real life), through the in-process service and through the app's
helper process; the same drop behind a gateway answering 503. Connection attempts are
counted in this process only (the helper's are its own).
"""

from __future__ import annotations

import argparse
import socket
import time
from pathlib import Path

import urllib3.util.connection

from kafdocs.api import Client, KafdocsError
from kafdocs.transfer import TransferService
from kafdocs.transfer.helper import HelperTransfers
from kafdocs.transfer.upload import UploadRequest
from tests.faults.proxy import FaultProxy
from tests.perf.common import ACCESS_KEY, sandbox_process, table, workdir

_attempts: list[object] = []
_connect = urllib3.util.connection.create_connection


def _counting(address: object, *args: object, **kwargs: object) -> socket.socket:
    _attempts.append(address)
    return _connect(address, *args, **kwargs)  # type: ignore[arg-type]


urllib3.util.connection.create_connection = _counting


def refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


def sign_in(url: str) -> tuple[str, str, str, str]:
    _attempts.clear()
    started = time.perf_counter()
    try:
        Client(url, "admin", "key").login()
        said = "signed in?"
    except KafdocsError as exc:
        said = str(exc).split(" — ")[0]
    return (f"sign-in, {url}", f"{time.perf_counter() - started:.2f} s", str(len(_attempts)),
            said[:70])


def files(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"scan {n:04d}.pdf" for n in range(count)]
    for path in paths:
        path.write_bytes(b"%PDF-1.4 " + bytes(200))
    return paths


def drop(name: str, transfers: TransferService | HelperTransfers,
         paths: list[Path]) -> tuple[str, str, str, str]:
    _attempts.clear()
    started = time.perf_counter()
    transfers.upload([UploadRequest(path, "22x1") for path in paths])
    transfers.wait(600)
    seconds = time.perf_counter() - started
    summary = transfers.summary(max(transfers.table.batches))  # this drop's batch
    told = (f"{summary.failed} failed ({summary.not_started} not started), "
            f"stopped early: {'yes' if summary.halted else 'no'}")
    attempts = str(len(_attempts)) if isinstance(transfers, TransferService) else "(helper)"
    return (name, f"{seconds:.2f} s", attempts, told)


def run(count: int) -> str:
    work = workdir()
    rows = [sign_in(refused_url()), sign_in("https://no-such-host.invalid/")]
    paths = files(work / "drop", count)
    with sandbox_process(work / "crm") as url:
        client = Client(url, "admin", ACCESS_KEY)
        client.login()
        client.supports_file_upload()
        proxy = FaultProxy(url)
        gateway = Client.from_spec(client.spec())
        gateway.endpoint = proxy.url + "webservice.php"
        proxy.add("*", "status_503", times=1_000_000)
        behind = TransferService(gateway, workers=4)
        rows.append(drop(f"{count} files, gateway answers 503", behind, paths))
        behind.shutdown()
        proxy.stop()
        helper_client = Client.from_spec(client.spec())
        helper = HelperTransfers(helper_client, workers=4)
        helper.upload([UploadRequest(paths[0], "22x1")])  # started while the server is up
        helper.wait(60)
    # the server's process is gone now: its port refuses, kept-alive connections break
    rows.append(drop(f"{count} files, server stopped, in-process",
                     TransferService(client, workers=4), paths))
    rows.append(drop(f"{count} files, server stopped, helper process", helper, paths))
    helper.shutdown(timeout=10)
    return table("A server that is down (figures, not limits)", rows,
                 ("scenario", "until told", "connections", "what the user gets"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    print(run(50 if args.quick else 2000))


if __name__ == "__main__":
    main()
