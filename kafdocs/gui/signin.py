"""The sign-in dialog: instance, user, access key, profiles; signing in runs in the background.

Cancel always works, even while signing in: the attempt is abandoned (it runs detached,
so a server that never answers does not keep the app alive), and so is an attempt that
had no answer after SIGN_IN_SECONDS. ``attempt_ended`` lets the app sign in from its
environment without showing the dialog, unless that fails or takes long.
"""

from __future__ import annotations

import logging
from zoneinfo import available_timezones

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from kafdocs import credentials
from kafdocs.api import Client, Redirected, is_insecure
from kafdocs.api.servertime import is_zone
from kafdocs.api.url import endpoint_url
from kafdocs.i18n import _

from .messages import sign_in_error
from .settings import LAST_PROFILE, Profile, Settings
from .tasks import TaskRunner

log = logging.getLogger(__name__)
SIGN_IN_SECONDS = 30  # an attempt with no answer by then is given up


class SignInDialog(QDialog):
    attempt_ended = Signal()  # signed in (accepted), failed, given up or cancelled

    def __init__(self, settings: Settings, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.tasks = tasks
        self.client: Client | None = None
        self._attempt = 0  # the attempt whose answer is awaited; earlier ones are ignored
        self._deadline = QTimer(self, singleShot=True)
        self._deadline.timeout.connect(self._gave_up)
        self.setWindowTitle(_("Sign in to Kafinea"))
        self.setMinimumWidth(460)

        self.profile = QComboBox()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://apps.kafinea.com/MyCompany")
        self.user = QLineEdit()
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(_("Kafinea → My preferences → Access key"))
        self.zone = QLineEdit()
        self.zone.setPlaceholderText(_("detected automatically"))
        self.zone.setToolTip(_("The time zone of the CRM's dates, if they look wrong: a name "
                               "such as Europe/Paris, or an offset such as UTC+09:00"))
        self.zone.setCompleter(QCompleter(sorted(available_timezones()), self.zone))
        self.remember = QCheckBox(_("Remember me (the key is kept in the system keyring)"))
        self.remember.setChecked(True)
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        self.keyring_note.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("signInStatus")

        self.forget = QPushButton(_("Forget"))
        self.forget.setToolTip(_("Remove this connection and its stored access key"))
        self.forget.clicked.connect(self._forget_profile)
        chooser = QHBoxLayout()
        chooser.addWidget(self.profile, 1)
        chooser.addWidget(self.forget)
        form = QFormLayout()
        form.addRow(_("Connection:"), chooser)
        form.addRow(_("Instance address:"), self.url)
        form.addRow(_("User name:"), self.user)
        form.addRow(_("Access key:"), self.key)
        form.addRow(_("CRM time zone:"), self.zone)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText(_("Sign in"))
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.profile.addItem(_("New connection"), None)
        self.forget.setEnabled(False)
        for p in settings.profiles():
            self.profile.addItem(p.name, p)
        self.profile.currentIndexChanged.connect(self._profile_chosen)
        last = self.profile.findText(settings.get(LAST_PROFILE))
        if last > 0:
            self.profile.setCurrentIndex(last)
        self.tasks.run(credentials.keyring_problem, self._keyring_checked, log.warning)

    def _keyring_checked(self, problem: str | None) -> None:
        """Say before signing in, not after, that "Remember me" cannot work here."""
        if not problem or not isValid(self):  # the dialog may be gone already
            return
        self.remember.setChecked(False)
        self.remember.setEnabled(False)
        self.keyring_note.setText(_("Your access key cannot be remembered on this computer: "
                                    "{reason}. kafdocs asks for it at each start and never "
                                    "writes it to a file.").format(reason=problem))
        self.keyring_note.show()
        self._fit()

    def _profile_chosen(self) -> None:
        profile: Profile | None = self.profile.currentData()
        self.forget.setEnabled(profile is not None)
        if profile is None:
            return
        self.url.setText(profile.url)
        self.user.setText(profile.user)
        self.zone.setText(profile.server_time_zone)
        self.key.setText(credentials.load_key(profile.url, profile.user) or "")
        (self.key if not self.key.text() else self.buttons).setFocus()

    def _forget_profile(self) -> None:
        profile: Profile | None = self.profile.currentData()
        if profile is None:
            return
        answer = QMessageBox.question(
            self, _("Forget the connection"),
            _("Forget the connection “{name}”? Its access key is removed from this "
              "computer; you will need it to sign in again.").format(name=profile.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.settings.remove_profile(profile.name)
        credentials.forget_key(profile.url, profile.user)
        self.profile.removeItem(self.profile.currentIndex())
        self.profile.setCurrentIndex(0)
        for field in (self.url, self.user, self.key):
            field.clear()

    def sign_in(self) -> None:
        url, user, key = self.url.text().strip(), self.user.text().strip(), self.key.text()
        zone = self.zone.text().strip()
        if not url or not user or not key:
            self._show(_("Fill in the address, the user name and the access key."))
            return
        if zone and not is_zone(zone):
            self._show(_("{zone} is not a time zone: give a name such as Europe/Paris or an "
                         "offset such as UTC+09:00, or leave it empty.").format(zone=zone))
            return
        try:
            endpoint_url(url)
        except Exception as exc:
            self._show(sign_in_error(exc))
            return
        self._show(_("Signing in…"), error=False)
        self.sign_in_button.setEnabled(False)  # Cancel stays: it gives the attempt up
        saved: Profile | None = self.profile.currentData()
        known = saved.max_upload if saved and (saved.url, saved.user) == (url, user) else None
        client = Client(url, user, key, max_upload=known)
        remember = self.remember.isChecked()

        def sign_in_and_keep_the_key() -> str | None:  # both talk to other processes
            client.login()
            client.set_server_zone(zone)
            return credentials.save_key(url, user, key) if remember else None

        self._attempt += 1
        attempt = self._attempt
        self._deadline.start(int(SIGN_IN_SECONDS * 1000))
        self.tasks.run(sign_in_and_keep_the_key,
                       lambda problem: self._signed_in(attempt, client, url, user, remember,
                                                       problem),
                       lambda error: self._failed(attempt, client, error),
                       owner=self, detached=True)

    @property
    def signing_in(self) -> bool:
        """An attempt waits for its answer."""
        return self._deadline.isActive()

    def _give_up(self) -> None:
        """The answer awaited, if any, no longer counts."""
        self._attempt += 1
        self._deadline.stop()
        self.sign_in_button.setEnabled(True)

    def _gave_up(self) -> None:
        self._give_up()
        self._show(_("The server did not answer within {seconds} seconds. Check the address "
                     "and your network connection, then sign in again.").format(
            seconds=SIGN_IN_SECONDS))
        self.attempt_ended.emit()

    def reject(self) -> None:
        """Cancel, Escape, or the window closed: whatever the state, even signing in."""
        self._give_up()
        super().reject()
        self.attempt_ended.emit()

    def _signed_in(self, attempt: int, client: Client, url: str, user: str, remember: bool,
                   keyring_problem: str | None) -> None:
        if attempt != self._attempt:  # given up meanwhile
            client.close()
            return
        self._deadline.stop()
        self.client = client
        if remember:
            current: Profile | None = self.profile.currentData()
            name = current.name if current else f"{user} @ {url}"
            self.settings.save_profile(Profile(name, url, user,
                                               current.max_upload_mb if current else 0.0,
                                               self.zone.text().strip()))
        if keyring_problem:
            client.login_result["keyring_problem"] = keyring_problem
        if is_insecure(client.endpoint):
            client.login_result["insecure"] = True
        self.accept()
        self.attempt_ended.emit()

    def _failed(self, attempt: int, client: Client, error: BaseException) -> None:
        client.close()
        if attempt != self._attempt:
            return
        self._give_up()
        self._show(sign_in_error(error))
        if isinstance(error, Redirected) and error.suggestion:
            self.url.setText(error.suggestion)  # offered, for the user to sign in again
        self.attempt_ended.emit()

    def _show(self, text: str, error: bool = True) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: palette(highlight);" if not error else
                                  "color: #c0392b; font-weight: bold;")
        self._fit()

    def _fit(self) -> None:
        """Grow with a message (an error, the keyring note), wrapped lines included,
        instead of squeezing the fields: a layout's minimum ignores wrapped text."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = layout.totalHeightForWidth(self.width())
        if wanted > self.height():
            self.resize(self.width(), wanted)
