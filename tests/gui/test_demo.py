"""The app as a user starts it: `python -m kafdocs --demo`, in its own process."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_lists_documents_and_fetches_one_through_the_transfer_helper(tmp_path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path),
           "XDG_CACHE_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)}
    env.pop("KAFDOCS_LOG_FOLDER", None)
    done = subprocess.run([sys.executable, "-m", "kafdocs", "--demo", "--smoke-test"],
                          env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    assert "6 folders, 5 documents, 1 fetched" in done.stdout
    log = (tmp_path / "kafdocs" / "log" / "kafdocs.log").read_text(encoding="utf-8")
    assert "kafdocs 0.1.0 starting" in log and "signed in to" in log  # for support
    assert "sessionName=" not in log.replace("sessionName=***", "")
    helper_log = tmp_path / "kafdocs" / "log" / "kafdocs-transfers.log"
    assert helper_log.exists()  # the transfer helper logs beside the app
