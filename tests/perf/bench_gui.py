"""The GUI: start-up, a 20,000-document folder, searching it, previews, and the GUI
thread during transfers.

    python -m tests.perf.bench_gui            # 20,000 documents, 1 GiB file, 2,000 files,
                                              # a 5 MB 50-page PDF, a 20-megapixel JPEG
    python -m tests.perf.bench_gui --quick    # small sizes
    python -m tests.perf.bench_gui --desk     # only search and previews (20,000 documents)
    python -m tests.perf.bench_gui --scroll 5 [--before COMMIT]  # scrolling only, 5 windows

Runs offscreen. A probe timer fires every 10 ms on the GUI thread; the longest gap
between two firings is the worst stall a user could feel.
"""

from __future__ import annotations

import argparse
import gc
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QSettings, QTimer
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QApplication

from kafdocs.api import Client, Query
from kafdocs.gui.app import make_app
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.settings import Settings
from kafdocs.gui.tasks import TaskRunner
from kafdocs.sandbox.app import Sandbox, SandboxSettings
from kafdocs.sandbox.schema import DOCUMENT_FOLDERS, DOCUMENTS
from kafdocs.transfer.search import search_query
from kafdocs.transfer.upload import UploadRequest
from tests.perf.common import (
    ACCESS_KEY,
    REPO,
    MiB,
    compile_sources,
    compiled_env,
    make_file,
    sandbox_process,
    source_tree,
    summary,
    table,
    workdir,
)

STARTUP = """
import time, sys
from kafdocs.api import Client
from kafdocs.demo import DemoCRM
from kafdocs.gui.app import make_app
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.settings import Settings
from kafdocs.gui.tasks import TaskRunner
from PySide6.QtCore import QSettings
app = make_app()
demo = DemoCRM()
client = Client(demo.url, demo.user, demo.access_key)
client.login()
settings = Settings(QSettings(sys.argv[1], QSettings.Format.IniFormat))
window = MainWindow(client, settings, TaskRunner(app))
window.show()
while window.documents.rowCount() == 0:
    app.processEvents()
print("populated", flush=True)
window.queue.shutdown(); demo.stop()
"""


MEMORY = """
import os, sys, time
from pathlib import Path
from PySide6.QtCore import QSettings
from kafdocs.api import Client
from kafdocs.gui.app import make_app
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.settings import Settings
from kafdocs.gui.tasks import TaskRunner
from tests.perf.bench_gui import rss_mib, spin
url, key, folder, count, work = sys.argv[1:6]
app = make_app()
client = Client(url, "admin", key)
client.login()
window = MainWindow(client, Settings(QSettings(work + "/m.ini", QSettings.Format.IniFormat)),
                    TaskRunner(app))
window.show()
spin(app, lambda: window.folders.rowCount() > 0 and not window.documents._loading)
window.folder_view.setCurrentIndex(window.folders.index(window.folders.row_of(folder)))
spin(app, lambda: (window.table.scrollToBottom(),
                   window.documents.rowCount() >= int(count))[1])
alone = rss_mib(os.getpid())
window.queue.download([window.documents.rows[0]], Path(work))  # starts the helper
spin(app, lambda: not window.queue.busy and len(window.queue.jobs) == 1)
helper = window.queue._process
print(f"{alone:.1f} {rss_mib(os.getpid()):.1f} {rss_mib(helper.pid):.1f}", flush=True)
window.queue.shutdown()
"""


SCROLL = """
import gc, sys
sys.path.insert(1, sys.argv[5])  # the benchmarks' probe; kafdocs from the working directory
from PySide6.QtCore import QSettings
from kafdocs.api import Client
from kafdocs.gui.app import make_app
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.settings import Settings
from kafdocs.gui.tasks import TaskRunner
from tests.perf.bench_gui import Probe, spin
url, key, folder, count, _, work = sys.argv[1:7]
app = make_app()
client = Client(url, "admin", key)
client.login()
window = MainWindow(client, Settings(QSettings(work + "/scroll.ini", QSettings.Format.IniFormat)),
                    TaskRunner(app))
window.show()
gc.freeze()  # as run_gui does once the window is up
spin(app, lambda: window.folders.rowCount() > 0 and not window.documents._loading)
probe = Probe().start()
window.folder_view.setCurrentIndex(window.folders.index(window.folders.row_of(folder)))
spin(app, lambda: (window.table.scrollToBottom(), window.documents.rowCount() >= int(count))[1])
probe.timer.stop()
print(f"{probe.worst_own * 1000:.1f} {probe.worst * 1000:.1f}", flush=True)
window.queue.shutdown()
"""


class Probe:
    """Records the gaps between firings of a 10 ms timer on the GUI thread.

    Two figures per gap: the wall time, and the wall time less what the GUI thread spent
    runnable but waiting for a core (``/proc/thread-self/schedstat``, Linux). On a machine
    shared by busy neighbours the first measures their load as much as kafdocs; the second
    keeps what kafdocs itself did: running, or waiting for the GIL or a lock.
    """

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.worst = self.worst_own = 0.0
        self.last, self.last_queued = time.perf_counter(), queued_seconds()

    def _tick(self) -> None:
        now, queued = time.perf_counter(), queued_seconds()
        self.worst = max(self.worst, now - self.last)
        self.worst_own = max(self.worst_own, now - self.last - (queued - self.last_queued))
        self.last, self.last_queued = now, queued

    def start(self) -> Probe:
        self.last, self.last_queued = time.perf_counter(), queued_seconds()
        self.worst = self.worst_own = 0.0
        self.timer.start()
        return self

    def stop(self) -> str:
        self.timer.stop()
        return f"{self.worst_own * 1000:.0f} ms ({self.worst * 1000:.0f} ms wall)"


def queued_seconds() -> float:
    """Time this thread has waited for a CPU so far (0 where the kernel does not say)."""
    try:
        with open("/proc/thread-self/schedstat") as stat:
            return int(stat.read().split()[1]) / 1e9
    except OSError:
        return 0.0


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def spin(app: QApplication, until, timeout: float = 600) -> float:
    started = time.perf_counter()
    while not until():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - started > timeout:
            raise TimeoutError
    return time.perf_counter() - started


def memory(url: str, folder: int, count: int, work: Path) -> list[tuple[str, str, str]]:
    """RSS of a window (a process of its own, started as the app starts: its helper
    imports only what the app's own helper imports) with the big folder listed and
    scrolled to its end, then with its transfer helper started."""
    out = subprocess.run([sys.executable, "-c", MEMORY, url, ACCESS_KEY, f"22x{folder}",
                          str(count), str(work)], capture_output=True, text=True, check=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout.split()
    alone, window, helper = (float(x) for x in out[-3:])
    return [(f"memory: window, {count} documents listed and scrolled", f"{alone:.0f} MiB", ""),
            ("memory: window + its helper (after a download)",
             f"{window + helper:.0f} MiB", f"{window:.0f} + {helper:.0f} MiB")]


def scrolling(rounds: int, before: str | None) -> str:
    """The worst stall while scrolling a 20,000-document folder to its end, in windows of
    their own (one process each, alternately with the code of ``before`` if given)."""
    count, work = 20_000, workdir()
    trees = {"": REPO, **({f" ({before})": source_tree(before)} if before else {})}
    compile_sources(*trees.values())
    box = Sandbox(SandboxSettings(data_dir=work / "crm", access_key=ACCESS_KEY))
    folder = big_folder(box, count)
    box.stop()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    with sandbox_process(work / "crm") as url:
        for _ in range(rounds):
            for name, tree in trees.items():
                out = subprocess.run(
                    [sys.executable, "-c", SCROLL, url, ACCESS_KEY, f"22x{folder}", str(count),
                     str(REPO), str(work)], capture_output=True, text=True, check=True,
                    cwd=tree, env={**compiled_env(), "QT_QPA_PLATFORM": "offscreen"})
                own, wall = (float(x) for x in out.stdout.split()[-2:])
                samples[name].append((own, wall))
    rows = []
    for name, found in samples.items():
        own, own_low, own_high = summary([o for o, _ in found])
        wall, wall_low, wall_high = summary([w for _, w in found])
        rows.append((f"scrolling {count} documents to the end{name}",
                     f"{own:.0f} ms own ({own_low:.0f}-{own_high:.0f})",
                     f"{wall:.0f} ms wall ({wall_low:.0f}-{wall_high:.0f}), {rounds} windows"))
    return table("Worst GUI-thread stall while pages arrive (offscreen), median (range)", rows,
                 ("scenario", "stall less time waiting for a core", "stall"))


def search_first_page(client: Client, text: str, repeats: int = 5) -> tuple[str, str, str]:
    """Count and first page of a search across every folder, as the window asks them."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        query = search_query(text)
        client.count(query)
        client.query(query.limit(100, 0))
        samples.append(time.perf_counter() - started)
    median, low, high = summary(samples)
    return (f"search '{text}' across all folders: count + first 100 results",
            f"{median * 1000:.0f} ms", f"({low * 1000:.0f}-{high * 1000:.0f} ms, {repeats} runs)")


def startup(work: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", STARTUP, str(work / "startup.ini")],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "populated"
    elapsed = time.perf_counter() - started
    proc.wait(30)
    return elapsed


def big_folder(box: Sandbox, count: int, size: int = 0) -> int:
    store = box.server.store
    folder = store.insert(DOCUMENT_FOLDERS, {"foldername": f"Big {count}", "description": "",
                                             "createdby": "", "sequence": "9"})
    data = os.urandom(size) if size else b""
    with store.transaction() as db:
        for n in range(count):
            crmid = db.execute("INSERT INTO crmentity (setype) VALUES ('Documents')").lastrowid
            db.execute("INSERT INTO documents (crmid, notes_title, folderid, filename, "
                       "filelocationtype, filestatus, filesize, filetype, assigned_user_id, "
                       "modifiedtime) VALUES (?, ?, ?, ?, 'I', '1', ?, 'application/pdf', "
                       "'19x1', '2026-05-06 07:08:09')",
                       (crmid, f"Document {n:05d}", f"22x{folder}", f"doc{n:05d}.pdf",
                        str(size)))
    if size:
        for docid in [r[0] for r in store.fetch(
                "SELECT crmid FROM documents WHERE folderid = ?", (f"22x{folder}",))]:
            tmp = store.new_blob_path()
            tmp.write_bytes(data)
            store.add_attachment(docid, "x.pdf", "application/pdf", size, tmp)
    return folder


def pdf_with_pictures(pages: int, size: int) -> bytes:
    """A PDF of ``pages`` pages, each a line of text over a picture of noise (which
    cannot be compressed), about ``size`` bytes in all: a scanned contract."""
    side = max(16, int((size / pages / 3) ** 0.5))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                   b" ".join(b"%d 0 R" % (3 + 3 * n) for n in range(pages)), pages)]
    for n in range(pages):
        content, picture = 4 + 3 * n, 5 + 3 * n  # the page itself is object 3 + 3 * n
        pixels = zlib.compress(os.urandom(side * side * 3), 1)
        text = b"q 500 0 0 700 50 80 cm /Im Do Q BT /F1 24 Tf 60 800 Td (Page %d) Tj ET" % (n + 1)
        objects += [
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /XObject << /Im %d 0 R >> /Font << /F1 %d 0 R >> >> >>"
            % (content, picture, 3 + 3 * pages),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
            % (side, side, len(pixels), pixels)]
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def photo(megapixels: float) -> bytes:
    """A camera-sized JPEG (3:2), taken sideways: its EXIF says to turn it."""
    width = int((megapixels * 1e6 * 1.5) ** 0.5)
    image = QImage(width, width * 2 // 3, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, image.width(), image.height())
    gradient.setColorAt(0, QColor("darkblue"))
    gradient.setColorAt(1, QColor("orange"))
    painter.fillRect(image.rect(), gradient)
    painter.end()
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG", 90)
    data = bytes(buffer.data())
    tiff = (b"II*\x00" + struct.pack("<IH", 8, 1) + struct.pack("<HHII", 0x0112, 3, 1, 6)
            + struct.pack("<I", 0))
    exif = b"Exif\x00\x00" + tiff
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + data[2:]


def preview_folder(box: Sandbox, pdf_pages: int, pdf_size: int, megapixels: float) -> int:
    """A folder with a large scanned PDF and a camera photo, for the preview pane."""
    store = box.server.store
    folder = store.insert(DOCUMENT_FOLDERS, {"foldername": "Preview", "description": "",
                                             "createdby": "", "sequence": "10"})
    for title, name, mime, data in (
            ("Scanned contract", "scan.pdf", "application/pdf",
             pdf_with_pictures(pdf_pages, pdf_size)),
            ("Site photo", "photo.jpg", "image/jpeg", photo(megapixels))):
        docid = store.insert(DOCUMENTS, {
            "notes_title": title, "folderid": f"22x{folder}", "filelocationtype": "I",
            "filestatus": "1", "filename": name, "filesize": str(len(data)), "filetype": mime,
            "assigned_user_id": "19x1", "modifiedtime": "2026-05-06 07:08:09"})
        tmp = store.new_blob_path()
        tmp.write_bytes(data)
        store.add_attachment(docid, name, mime, len(data), tmp)
    return folder


def run(listing: int, big_file: int, many: int, pdf: tuple[int, int], megapixels: float,
        desk: bool = False) -> str:
    """``desk``: the search and preview rows only (no start-up, transfers or memory)."""
    work = workdir()
    app = make_app()
    rows = [] if desk else [
        ("start-up: `kafdocs --demo` to a populated window", f"{startup(work):.2f} s", "")]
    # Data is written in-process, then served by a sandbox in its own process, as a
    # real server would be: its threads must not compete for this process's GIL.
    box = Sandbox(SandboxSettings(data_dir=work / "crm", access_key=ACCESS_KEY))
    listed = big_folder(box, listing)
    fetched = 0 if desk else big_folder(box, many, 30_000)
    previewed = preview_folder(box, *pdf, megapixels)
    box.stop()
    with sandbox_process(work / "crm", "--max-post-size", str(4 * big_file + MiB)) as url:
        client = Client(url, "admin", ACCESS_KEY)
        client.login()
        rows.append(search_first_page(client, "Document 01"))
        if desk:
            rows += measure_desk(app, client, work, listing, previewed, pdf, megapixels)
        else:
            rows += measure(app, client, work, listed, fetched, listing, big_file, many,
                            previewed, pdf, megapixels)
            rows += memory(url, listed, listing, work)
        client.close()
    return table("GUI (offscreen)", rows, ("scenario", "time", "worst GUI-thread stall"))


def searches(app: QApplication, window: MainWindow, documents: int, listing: int,
             probe: Probe) -> list[tuple[str, str, str]]:
    """From the search sent (after the typing pause) to its first rows in the table."""
    rows = []
    for text, what in ((f"doc{listing // 2:05d}", "one match"),
                       ("document", f"{listing} matches")):
        probe.start()
        window.start_search(text, here=False)
        first = spin(app, lambda: window.documents.rowCount() > 0)
        counted = first + spin(app, lambda: not window.documents.loading)
        rows.append((f"search of {documents} documents, {what}: first results (counted)",
                     f"{first * 1000:.0f} ms ({counted * 1000:.0f} ms)", probe.stop()))
    window.show_folder()
    return rows


def previews(app: QApplication, window: MainWindow, folder: int, probe: Probe,
             pdf: tuple[int, int], megapixels: float) -> list[tuple[str, str, str]]:
    """From a click on a document to its preview shown: fetched first, then cached."""
    index = window.folders.index(window.folders.row_of(f"22x{folder}"))
    window.folder_view.setCurrentIndex(index)
    spin(app, lambda: window.documents.rowCount() == 2 and not window.documents.loading)
    rows = []
    labels = {"pdf": f"a {pdf[1] / MiB:.0f} MB, {pdf[0]}-page PDF: first page",
              "image": f"a {megapixels:.0f}-megapixel JPEG"}
    for cached in (False, True):
        for title, state in (("Scanned contract", "pdf"), ("Site photo", "image")):
            row = next(r for r, rec in enumerate(window.documents.rows)
                       if rec["notes_title"] == title)
            window.table.clearSelection()
            spin(app, lambda: window.preview.record is None)
            probe.start()
            started = time.perf_counter()
            flags = window.table.selectionModel().SelectionFlag
            window.table.selectionModel().select(window.documents.index(row, 0),
                                                 flags.ClearAndSelect | flags.Rows)
            try:
                spin(app, lambda s=state: window.preview.state == s, timeout=120)
            except TimeoutError:
                raise SystemExit(f"no preview of {title}: {window.preview.state} "
                                 f"{window.preview.message.text()} {window.selected_records()} "
                                 f"{window.side.isVisible()} {window.documents.rowCount()}"
                                 f"{window._selection_timer.isActive()}") from None
            rows.append((f"preview of {labels[state]} ({'cached' if cached else 'fetched'})",
                         f"{(time.perf_counter() - started) * 1000:.0f} ms", probe.stop()))
    return rows


def bench_window(app: QApplication, client: Client, work: Path) -> tuple[MainWindow, Settings]:
    settings = Settings(QSettings(str(work / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(client, settings, TaskRunner(app))
    window.cache_dir = work / "cache"
    window.resize(1280, 860)
    window.show()
    gc.freeze()  # as run_gui does once the window is up
    spin(app, lambda: window.folders.rowCount() > 0 and not window.documents._loading)
    return window, settings


def measure_desk(app: QApplication, client: Client, work: Path, listing: int, previewed: int,
                 pdf: tuple[int, int], megapixels: float) -> list[tuple[str, str, str]]:
    window, settings = bench_window(app, client, work)
    probe = Probe()
    rows = searches(app, window, client.count(Query("Documents")), listing, probe)
    rows += previews(app, window, previewed, probe, pdf, megapixels)
    window.queue.shutdown()
    window.close()
    settings.store.sync()
    return rows


def measure(app: QApplication, client: Client, work: Path, listed: int, fetched: int,
            listing: int, big_file: int, many: int, previewed: int, pdf: tuple[int, int],
            megapixels: float) -> list[tuple[str, str, str]]:
    rows = []
    window, settings = bench_window(app, client, work)
    index = window.folders.index(window.folders.row_of(f"22x{listed}"))
    probe = Probe().start()
    window.folder_view.setCurrentIndex(index)
    first = spin(app, lambda: window.documents.rowCount() > 0)
    rows.append((f"first rows of a {listing}-document folder", f"{first * 1000:.0f} ms", ""))
    scroll = spin(app, lambda: (window.table.scrollToBottom(),
                                window.documents.rowCount() >= listing)[1])
    rows.append(("scrolling to its end (pages on demand)", f"{scroll:.1f} s",
                 probe.stop()))

    source = make_file(work / "big.bin", big_file)
    probe.start()
    window.queue.upload([UploadRequest(source, "22x1")])
    up = spin(app, lambda: 1 in window.queue.jobs and window.queue.jobs[1].state.final)
    rows.append((f"upload of {big_file / MiB:.0f} MiB ({window.queue.jobs[1].state.value})",
                 f"{up:.1f} s", probe.stop()))
    (record,) = client.query("SELECT * FROM Documents WHERE filename = 'big.bin';")
    probe.start()
    (work / "one").mkdir()
    window.queue.download([record], work / "one")
    got = spin(app, lambda: 2 in window.queue.jobs and window.queue.jobs[2].state.final)
    rows.append((f"download of {big_file / MiB:.0f} MiB ({window.queue.jobs[2].state.value})",
                 f"{got:.1f} s", probe.stop()))
    folder = window.folders.folders[window.folders.row_of(f"22x{fetched}")]
    probe.start()
    window.start_folder_download(folder, work / "down")
    spin(app, lambda: len(window.queue.jobs) > many // 2)
    down = spin(app, lambda: not window.queue.busy and all(
        r.record.state.final for r in window.transfers.rows))
    rows.append((f"folder download of {many} files", f"{down:.1f} s", probe.stop()))
    rows += searches(app, window, client.count(Query("Documents")), listing, probe)
    rows += previews(app, window, previewed, probe, pdf, megapixels)
    window.queue.shutdown()
    window.close()
    settings.store.sync()  # written now, not after the scratch directory is removed
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--desk", action="store_true", help="only search and previews")
    parser.add_argument("--scroll", type=int, metavar="WINDOWS",
                        help="only the scrolling stall, in this many windows of their own")
    parser.add_argument("--before", metavar="COMMIT",
                        help="with --scroll: windows of this commit's code too, alternately")
    args = parser.parse_args(argv)
    if args.scroll:
        print(scrolling(args.scroll, args.before))
    elif args.quick:
        print(run(250, 4 * MiB, 20, (5, MiB // 2), 2, desk=args.desk))
    else:
        print(run(20_000, 1024 * MiB, 2000, (50, 5 * MiB), 20, desk=args.desk))


if __name__ == "__main__":
    main()
