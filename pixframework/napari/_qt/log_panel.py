"""The status line and the message history under the dock widget.

The status line shows the model's current message (an error stays until the person starts another
action); *Log* opens the whole history, every message of the session with its time, and the
details (traceback) of unexpected errors.
"""

from __future__ import annotations

from qtpy.QtCore import Qt
from qtpy.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ..messages import Message, MessageLog

ERROR_STYLE = "color: #e05050;"
WARNING_STYLE = "color: #e0a030;"


class LogPanel(QWidget):
    """Status line, a *Log* toggle, and the history it shows."""

    def __init__(self, messages: MessageLog) -> None:
        super().__init__()
        self.messages = messages
        self.status = QLabel("Not connected. Connect to a server or start a local one.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toggle = QPushButton("Log")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Every message of this session")
        self.history = QPlainTextEdit()
        self.history.setReadOnly(True)
        self.history.setMaximumHeight(140)
        self.history.setVisible(False)
        self.toggle.toggled.connect(self.history.setVisible)
        line = QHBoxLayout()
        line.addWidget(self.status, 1)
        line.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.addLayout(line)
        layout.addWidget(self.history)
        for message in messages.entries:
            self._append(message)
        messages.added.connect(self._on_message)

    def _on_message(self, message: Message) -> None:
        self._append(message)
        current = self.messages.current
        if current is not None:
            self.status.setText(current.text)
            style = {"error": ERROR_STYLE, "warning": WARNING_STYLE}.get(current.level, "")
            self.status.setStyleSheet(style)

    def _append(self, message: Message) -> None:
        self.history.appendPlainText(message.line())
        if message.details:
            self.history.appendPlainText(message.details.rstrip())
        self.toggle.setText(f"Log ({len(self.messages.entries)})")

    def disconnect_model(self) -> None:
        self.messages.added.disconnect(self._on_message)
