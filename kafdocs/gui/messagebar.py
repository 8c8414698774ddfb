"""The message bar above the documents: what went wrong stays there until dismissed.

A status-bar message is gone after a few seconds and hides under the "Signed in as"
label when long; an error the user has to act on (server down, a file refused, a
failed batch) is kept here instead, each distinct sentence once, until the user
closes the bar.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

from kafdocs.i18n import _

MAX_SHOWN = 4  # the most recent sentences shown; older ones are dropped


class MessageBar(QFrame):
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#messageBar { background: #fdf1d8; border: 1px solid #e2b65c;"
                           " border-radius: 3px; } #messageBar QLabel { color: #3b2f14; }")
        self.messages: list[str] = []
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(20, 20))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # server words are data, not markup
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_TitleBarCloseButton))
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(_("Dismiss"))
        self.close_button.setAccessibleName(_("Dismiss"))
        self.close_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str) -> None:
        """Add ``text`` unless it is already shown (one failure reported by two parts)."""
        if text in self.messages:
            return
        self.messages = [*self.messages, text][-MAX_SHOWN:]
        self.text.setText("\n".join(self.messages))
        self.show()

    def dismiss(self) -> None:
        self.messages = []
        self.text.clear()
        self.hide()
        self.dismissed.emit()
