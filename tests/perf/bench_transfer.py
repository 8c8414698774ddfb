"""One large file up and down: kafdocs against curl on the same sandbox, and peak memory.

    python -m tests.perf.bench_transfer            # 1 GiB, 3 runs (needs ~8 GB of disk)
    python -m tests.perf.bench_transfer --quick    # a smoke run with a few MiB
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from kafdocs.api import Client, Query
from kafdocs.api.retry import RetryPolicy
from kafdocs.api.streams import MultipartFileBody
from kafdocs.transfer import Job, TransferQueue
from kafdocs.transfer.upload import UploadRequest, upload
from tests.perf.common import (
    ACCESS_KEY,
    MiB,
    env_for,
    make_file,
    peak_rss_mib,
    sandbox_process,
    sha256,
    summary,
    table,
    timed,
    workdir,
)


def new_document(client: Client, name: str) -> str:
    return client.create("Documents", {
        "notes_title": name, "folderid": "22x1", "filelocationtype": "I", "filestatus": "1",
        "assigned_user_id": client.user_id})["id"]


def kafdocs_upload(client: Client, source: Path) -> str:
    queue = TransferQueue(1, retry=RetryPolicy(attempts=1))
    job = queue.submit(Job(source.name, lambda ctx: upload(
        client, UploadRequest(source, "22x1"), ctx)["id"]))
    queue.wait()
    queue.shutdown(cancel=False)
    if job.state.value != "finished":
        raise RuntimeError(job.message)
    return job.message


def curl_upload(client: Client, body_file: Path, content_type: str) -> None:
    url = f"{client.endpoint}?operation=FileUpload&sessionName={client._session}"
    subprocess.run(["curl", "-sS", "-o", "/dev/null", "-X", "POST", "-T", str(body_file),
                    "-H", f"Content-Type: {content_type}", "-H", "Expect:", url], check=True)


def kafdocs_download(client: Client, file_id: str, target: Path) -> None:
    with target.open("wb") as out:
        client.files_retrieve(file_id, lambda index: out)


def curl_download(client: Client, file_id: str, target: Path) -> None:
    url = (f"{client.endpoint}?operation=files_retrieve&sessionName={client._session}"
           f"&id={file_id}")
    subprocess.run(["curl", "-sS", "-o", str(target), url], check=True)


def run(size: int, runs: int, memory_sizes: list[int]) -> str:
    work = workdir()
    source = make_file(work / "big.bin", size)
    limit = str(2 * max([size, *memory_sizes]) + 64 * MiB)
    with sandbox_process(work / "crm", "--max-post-size", limit) as url:
        client = Client(url, "admin", ACCESS_KEY)
        client.login()
        parent = new_document(client, "curl target")
        body = MultipartFileBody({"parentId": parent, "attachmentType": "Attachment",
                                  "fileName": "big.bin"}, "fileContents", source,
                                 file_name="big.bin", base64=True)
        body_file = work / "body.bin"
        with body_file.open("wb") as f:
            for chunk in body:
                f.write(chunk)
        up_k, up_c, down_k, down_c = [], [], [], []
        uploaded: list[str] = []
        for _ in range(runs):
            up_c.append(timed(lambda: curl_upload(client, body_file, body.content_type)))
            up_k.append(timed(lambda: uploaded.append(kafdocs_upload(client, source))))
        doc_id = uploaded[-1]
        file_id = client.retrieve(doc_id)["imageattachmentids"]
        for _ in range(runs):
            down_c.append(timed(lambda: curl_download(client, file_id, work / "curl.json")))
            down_k.append(timed(lambda: kafdocs_download(client, file_id, work / "back.bin")))
        assert sha256(work / "back.bin") == sha256(source)
        rows = []
        for label, mine, ref in (("upload (create+FileUpload+confirm)", up_k, up_c),
                                 ("download (files_retrieve)", down_k, down_c)):
            km, kmin, kmax = summary(mine)
            cm, cmin, cmax = summary(ref)
            rows.append((label, f"{size / MiB / km:.0f} MiB/s ({kmin:.2f}-{kmax:.2f} s)",
                         f"{size / MiB / cm:.0f} MiB/s ({cmin:.2f}-{cmax:.2f} s)",
                         f"{cm / km:.2f}x"))
        report = table(f"Throughput, {size / MiB:.0f} MiB file, median of {runs} "
                       "(kafdocs / curl, same sandbox)", rows,
                       ("transfer", "kafdocs", "curl", "ratio"))
        report += "\n" + memory(client, url, work, memory_sizes)
        client.close()
    return report





def memory(client: Client, url: str, work: Path, sizes: list[int]) -> str:
    """Peak RSS of the real CLI, uploading then downloading files of each size."""
    env = env_for(url)
    rows = []
    for size in sizes:
        path = make_file(work / f"m{size}.bin", size)
        up = peak_rss_mib([sys.executable, "-m", "kafdocs", "upload", "--folder", "22x1",
                           "--title", f"m{size}", str(path)], env)
        (row,) = client.query(Query("Documents").where("notes_title", "=", f"m{size}"))
        down = peak_rss_mib([sys.executable, "-m", "kafdocs", "download", "--dest",
                             str(work / f"out{size}"), row["id"]], env)
        rows.append((f"{size / MiB:.0f} MiB", f"{up:.1f} MiB", f"{down:.1f} MiB"))
        path.unlink()
    return table("Peak RSS of the kafdocs CLI", rows, ("file", "upload", "download"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.quick:
        print(run(4 * MiB, 1, [2 * MiB]))
    else:
        print(run(args.size_mib * MiB, args.runs, [64 * MiB, 1024 * MiB]))


if __name__ == "__main__":
    main()
