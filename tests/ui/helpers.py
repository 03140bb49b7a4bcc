"""Helpers the topic and tally screen tests share: typing Chinese, answering questions."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import pytest
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from xmen_desktop.ui.context import AppContext

DialogT = TypeVar("DialogT", bound=QWidget)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type as a user would: ASCII as key presses, Chinese as an input method commits it."""
    widget.setFocus()
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def open_dialog(parent: QWidget, kind: type[DialogT]) -> DialogT:
    found = [d for d in parent.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}, found {len(found)}"
    return found[0]


def read(context: AppContext, fn: Any) -> Any:
    box: list[Any] = []
    context.read(fn, box.append)
    return box[0]


def write(context: AppContext, fn: Any) -> Any:
    box: list[Any] = []
    errors: list[BaseException] = []
    context.write(fn, box.append, errors.append)
    if errors:
        raise errors[0]
    return box[0] if box else None


class Answers:
    """Stands in for a QMessageBox function: records what was said, answers as told."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.said: list[str] = []

    def __call__(self, parent: object, title: str, text: str, *args: object) -> Any:
        self.said.append(text)
        return self.answer


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Answers:
    recorder = Answers(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", recorder)
    return recorder


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Answers:
    """Information and warning boxes, recorded instead of shown."""
    recorder = Answers(QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "information", recorder)
    monkeypatch.setattr(QMessageBox, "warning", recorder)
    return recorder
