"""The sign-in dialog against the sandbox."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordSetError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from kafdocs import credentials
from kafdocs.gui import app, signin
from kafdocs.gui.signin import SignInDialog
from tests.conftest import ACCESS_KEY


def fill(dialog: SignInDialog, url: str, user: str, key: str) -> None:
    dialog.url.setText(url)
    dialog.user.setText(user)
    dialog.key.setText(key)


def test_sign_in_remembers_the_profile_and_keeps_the_key_in_the_keyring(
        qtbot, sandbox, settings, tasks, memory_keyring) -> None:
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    fill(dialog, sandbox.url, "admin", ACCESS_KEY)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    assert dialog.client is not None and dialog.client.user_id == "19x1"
    (profile,) = settings.profiles()
    assert profile.user == "admin" and profile.url == sandbox.url
    assert credentials.load_key(sandbox.url, "admin") == ACCESS_KEY
    ini = settings.store.fileName()
    settings.store.sync()
    assert ACCESS_KEY not in Path(ini).read_text(encoding="utf-8")
    dialog.client.close()


def test_wrong_key_shows_a_clear_message(qtbot, sandbox, settings, tasks) -> None:
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    fill(dialog, sandbox.url, "admin", "not-the-key")
    dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.signing_in, timeout=10_000)
    assert "Wrong user name or access key" in dialog.status.text()
    assert dialog.client is None


def test_unreachable_host_and_non_kafinea_address(qtbot, sandbox, settings, tasks) -> None:
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    fill(dialog, "http://127.0.0.1:9/", "admin", "k")
    dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.signing_in, timeout=20_000)
    assert "Cannot reach the server" in dialog.status.text()


def test_saved_profile_fills_the_form(qtbot, sandbox, settings, tasks) -> None:
    from kafdocs.gui.settings import Profile

    settings.save_profile(Profile("Bureau", sandbox.url, "admin"))
    credentials.save_key(sandbox.url, "admin", ACCESS_KEY)
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    assert dialog.profile.currentText() == "Bureau"
    assert dialog.url.text() == sandbox.url and dialog.key.text() == ACCESS_KEY


def test_forgetting_a_profile_removes_it_and_its_key(qtbot, sandbox, settings, tasks,
                                                     monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from kafdocs.gui.settings import Profile

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)

    settings.save_profile(Profile("Bureau", sandbox.url, "admin"))
    credentials.save_key(sandbox.url, "admin", ACCESS_KEY)
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    assert dialog.forget.isEnabled()
    qtbot.mouseClick(dialog.forget, Qt.MouseButton.LeftButton)
    assert settings.profiles() == [] and dialog.profile.count() == 1
    assert credentials.load_key(sandbox.url, "admin") is None
    assert dialog.key.text() == "" and not dialog.forget.isEnabled()


def test_wrong_address_says_which_address_and_what_to_do(qtbot, sandbox, settings,
                                                         tasks) -> None:
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    fill(dialog, sandbox.url + "crm/", "admin", ACCESS_KEY)
    dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.signing_in, timeout=10_000)
    assert f"There is no Kafinea webservice at {sandbox.url}crm/" in dialog.status.text()
    fill(dialog, sandbox.url.replace("http://", ""), "admin", ACCESS_KEY)  # tried in https
    dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.signing_in, timeout=10_000)
    assert f"use the address {sandbox.url}" in dialog.status.text()
    assert dialog.client is None


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_the_dialog_says_the_key_cannot_be_remembered(
        qtbot, sandbox, settings, tasks, no_keyring) -> None:
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.keyring_note.isHidden(), timeout=5_000)
    assert not dialog.remember.isEnabled() and not dialog.remember.isChecked()
    assert dialog.keyring_note.text().startswith(
        "Your access key cannot be remembered on this computer: this system has no keyring")
    fill(dialog, sandbox.url, "admin", ACCESS_KEY)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.sign_in()
    assert settings.profiles() == []  # nothing half-remembered, and no key in a file
    settings.store.sync()
    ini = Path(settings.store.fileName())
    assert not ini.exists() or ACCESS_KEY not in ini.read_text(encoding="utf-8")
    dialog.client.close()


class RefusingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordSetError("locked")


def test_a_keyring_that_refuses_the_key_is_said_in_the_window(qtbot, sandbox, settings,
                                                              tasks, window_factory,
                                                              gui_client) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    try:
        dialog = SignInDialog(settings, tasks)
        qtbot.addWidget(dialog)
        fill(dialog, sandbox.url, "admin", ACCESS_KEY)
        with qtbot.waitSignal(dialog.accepted, timeout=10_000):
            dialog.sign_in()
        assert dialog.client.login_result["keyring_problem"] == (
            "the system keyring refused it (PasswordSetError)")
        dialog.client.close()
    finally:
        keyring.set_keyring(previous)
    gui_client.login_result["keyring_problem"] = "the system keyring refused it (X)"
    win = window_factory()
    assert "Your access key was not remembered: the system keyring refused it (X)." in \
        win.message_bar.messages[-1]


def test_a_saved_connection_brings_its_learned_upload_limit(qtbot, sandbox, settings,
                                                            tasks) -> None:
    from kafdocs.gui.settings import Profile

    settings.save_profile(Profile("Bureau", sandbox.url, "admin", max_upload_mb=2.0))
    credentials.save_key(sandbox.url, "admin", ACCESS_KEY)
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.sign_in()
    assert dialog.client.max_upload == 2 * 1024 * 1024  # refused up front from the start
    dialog.client.close()


def test_a_refused_certificate_is_explained_in_the_window(qtbot, settings, tasks, tmp_path,
                                                          monkeypatch) -> None:
    from tests.faults.certs import DAY, NOW, issue
    from tests.faults.hostile import HostileServer

    authority = issue("test authority", ca=True)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.write(tmp_path, "authority")))
    expired = issue("crm", issuer=authority, names=("127.0.0.1",), not_after=NOW - DAY,
                    not_before=NOW - 9 * DAY)
    with HostileServer(tls=expired.server_context(tmp_path, "crm")) as server:
        dialog = SignInDialog(settings, tasks)
        qtbot.addWidget(dialog)
        fill(dialog, server.url, "admin", "k")
        dialog.sign_in()
        qtbot.waitUntil(lambda: not dialog.signing_in, timeout=20_000)
    assert "has expired" in dialog.status.text()
    assert "date and time" in dialog.status.text()


def test_a_redirect_to_the_same_server_offers_the_corrected_address(qtbot, settings,
                                                                     tasks) -> None:
    from tests.faults.hostile import Answer, HostileServer

    with HostileServer() as server:
        corrected = server.url.replace("/crm/", "/Crm/")
        server.on("getchallenge", Answer(301, b"", {"Location": corrected + "webservice.php"}))
        dialog = SignInDialog(settings, tasks)
        qtbot.addWidget(dialog)
        fill(dialog, server.url, "admin", "k")
        dialog.sign_in()
        qtbot.waitUntil(lambda: not dialog.signing_in, timeout=10_000)
        assert server.operations() == ["getchallenge"]  # not followed
    assert f"The correct address seems to be {corrected}" in dialog.status.text()
    assert dialog.url.text() == corrected and dialog.client is None


def test_the_crm_time_zone_of_a_profile_is_applied_and_remembered(
        qtbot, make_sandbox, settings, tasks) -> None:
    from kafdocs.api.servertime import ServerZone
    from kafdocs.gui.settings import Profile

    box = make_sandbox(time_zone="Asia/Tokyo")
    settings.save_profile(Profile("Tokyo", box.url, "admin", server_time_zone="Asia/Tokyo"))
    credentials.save_key(box.url, "admin", ACCESS_KEY)
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    assert dialog.zone.text() == "Asia/Tokyo"
    dialog.zone.setText("Tokyo")
    dialog.sign_in()
    assert "Tokyo is not a time zone" in dialog.status.text() and dialog.client is None
    dialog.zone.setText("UTC+09:00")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.sign_in()
    assert dialog.client is not None
    assert dialog.client.server_zone == ServerZone("UTC+09:00", "setting")
    assert settings.profiles()[0].server_time_zone == "UTC+09:00"
    dialog.client.close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An address that takes the connection and never answers (a hung proxy or PHP)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"


def test_cancel_gives_up_a_sign_in_that_gets_no_answer(qtbot, silent_server, settings,
                                                       tasks) -> None:
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, silent_server, "admin", "k")
    dialog.sign_in()
    assert dialog.signing_in and "Signing in" in dialog.status.text()
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.isEnabled() and not dialog.sign_in_button.isEnabled()
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and not dialog.signing_in and dialog.client is None


def test_a_sign_in_with_no_answer_is_given_up_with_a_clear_message(
        qtbot, silent_server, settings, tasks, monkeypatch) -> None:
    monkeypatch.setattr(signin, "SIGN_IN_SECONDS", 0.2)  # 30 in the app
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    fill(dialog, silent_server, "admin", "k")
    with qtbot.waitSignal(dialog.attempt_ended, timeout=5000):
        dialog.sign_in()
    assert dialog.status.text().startswith("The server did not answer within 0.2 seconds.")
    assert dialog.sign_in_button.isEnabled() and dialog.client is None


def test_closing_the_sign_in_dialog_ends_the_app_even_while_the_server_hangs(
        silent_server, tmp_path) -> None:
    """The dialog closed while 'Signing in…' waits on a server that never answers: the
    process ends at once (it lived on for up to 18 minutes)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KAFDOCS_URL": silent_server,
           "KAFDOCS_USER": "admin", "KAFDOCS_ACCESS_KEY": "k",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = subprocess.run([sys.executable, "-c", CLOSE_SIGN_IN], env=env, capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "closed while Signing in…; sign_in gave None"


CLOSE_SIGN_IN = """
import argparse
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from kafdocs.gui import app, signin
from kafdocs.gui.settings import Settings
from kafdocs.gui.tasks import TaskRunner

qapp = app.make_app()
seen = []

def close_once_shown():
    dialog = next((w for w in QApplication.topLevelWidgets()
                   if isinstance(w, signin.SignInDialog) and w.isVisible()), None)
    if dialog is None:
        QTimer.singleShot(50, close_once_shown)
        return
    seen.append(dialog.status.text())
    dialog.close()

QTimer.singleShot(50, close_once_shown)
args = argparse.Namespace(url=None, user=None, access_key=None)
client = app.sign_in(args, Settings(), TaskRunner(qapp))
print(f"closed while {seen[0]}; sign_in gave {client}", flush=True)
"""


def test_signed_in_from_the_environment_the_dialog_never_shows(
        qtbot, sandbox, settings, tasks, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(SignInDialog, "show", lambda self: shown.append("show"))
    monkeypatch.setattr(SignInDialog, "exec", lambda self: shown.append("exec") or 0)
    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setattr(app, "SHOW_SIGN_IN_AFTER_MS", 60_000)  # this machine may be slow
    client = app.sign_in(argparse.Namespace(url=None, user=None, access_key=None),
                         settings, tasks)
    assert client is not None and client.user_id == "19x1"
    assert shown == []  # it flashed before the window
    client.close()


def test_a_refused_sign_in_from_the_environment_shows_the_dialog_and_why(
        qtbot, sandbox, settings, tasks, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(SignInDialog, "exec", lambda self: shown.append(self.status.text())
                        or 0)
    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "not-the-key")
    assert app.sign_in(argparse.Namespace(url=None, user=None, access_key=None),
                       settings, tasks) is None
    assert len(shown) == 1 and "Wrong user name or access key" in shown[0]


def test_the_dialog_grows_with_its_messages_instead_of_squeezing_its_fields(
        qtbot, settings, tasks, no_keyring) -> None:
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.keyring_note.isHidden(), timeout=5_000)
    dialog._show("Could not reach the server. Check the address and your network "
                 "connection. " * 3)
    qtbot.waitUntil(lambda: dialog.height() >= dialog.minimumSizeHint().height())
    for field in (dialog.url, dialog.user, dialog.key, dialog.zone):
        assert field.height() >= field.minimumSizeHint().height()  # was: cut in half
