"""Functions of a session that the print centre and the notice screens hand to the worker.

The store is imported inside each function, never at module level (see ``ui.jobs``).
Writes return ids (plain strings); reads return plain rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.notices import NoticeRow
    from xmen_desktop.store.print_queries import NoticeDetail, Rendered, WatchRow
    from xmen_desktop.store.printables import Printable
    from xmen_desktop.ui.worker import Job

Values = Mapping[str, object]
Image = tuple[bytes, str]  # file contents, file name

# Table names as the change log reports them in ``AppContext.changed``.
NOTICE = "notice"
NOTICE_ESTATE = "notice_estate"
NOTICE_POSTING = "notice_posting"
NOTICE_TABLES = frozenset({NOTICE, NOTICE_ESTATE, NOTICE_POSTING})
# Everything the print centre's list is made from.
PRINTABLE_TABLES = NOTICE_TABLES | frozenset(
    {
        "topic",
        "vote",
        "ballot",
        "household",
        "meeting",
        "agenda_item",
        "invitee",
        "resolution",
        "project",
        "project_status_change",
        "milestone",
        "budget_line",
        "expense",
        "project_log",
    }
)


# ---------------------------------------------------------------------------- reads


def load_printables(estate_id: str | None) -> Callable[[Session], list[Printable]]:
    def run(session: Session) -> list[Printable]:
        from xmen_desktop.store import printables

        return printables.printable_list(session, estate_id)

    return run


def load_notices(estate_id: str | None) -> Callable[[Session], list[NoticeRow]]:
    def run(session: Session) -> list[NoticeRow]:
        from xmen_desktop.store import notices

        return notices.list_notices(session, estate_id)

    return run


def load_watch(estate_id: str | None) -> Callable[[Session], list[WatchRow]]:
    def run(session: Session) -> list[WatchRow]:
        from xmen_desktop.store import print_queries

        return print_queries.publicity_watch(session, estate_id)

    return run


def load_notice(notice_id: str) -> Callable[[Session], NoticeDetail]:
    def run(session: Session) -> NoticeDetail:
        from xmen_desktop.store import print_queries

        return print_queries.notice_detail(session, notice_id)

    return run


def load_boards() -> Callable[[Session], list[str]]:
    def run(session: Session) -> list[str]:
        from xmen_desktop.store import print_queries

        return print_queries.known_boards(session)

    return run


def render_document(
    data_dir: Path,
    kind: str,
    ref: str,
    out: Path,
    *,
    layout: str | None = None,
    two_up: bool = False,
    preview: bool = False,
    stop: threading.Event | None = None,
) -> Callable[[Session, Job], Rendered]:
    """Write a printable as a PDF; ``stop`` (or cancelling the job) stops a ballot batch."""

    def run(session: Session, job: Job) -> Rendered:
        from xmen_desktop.store import print_queries

        def step(done: int, total: int) -> None:
            if stop is not None and stop.is_set():
                job.cancel()
            job.check()
            job.progress(done, total)

        return print_queries.render(
            session,
            data_dir,
            kind,
            ref,
            out,
            layout=layout,
            two_up=two_up,
            preview=preview,
            progress=step,
        )

    return run


# ---------------------------------------------------------------------------- writes


def _check_picture(session: Session, data_dir: Path, image: Image, field: str) -> None:
    """Refuse a file that is not a picture, as a message under the picture's field."""
    from xmen_desktop.domain.validation import FieldError
    from xmen_desktop.store import attachments
    from xmen_desktop.store.errors import StoreError, ValidationFailed

    try:
        attachments.add_attachment(session, data_dir, image[0], name=image[1])
    except StoreError as error:
        raise ValidationFailed([FieldError(field, error.message)]) from None


def save_notice(
    data_dir: Path,
    notice_id: str | None,
    values: Values,
    estate_ids: Sequence[str],
    image: Image | None,
) -> Callable[[Session], str]:
    """Add a notice (``notice_id`` None) or change one; returns its id."""

    def run(session: Session) -> str:
        from xmen_desktop.store import notices

        if image is not None:
            _check_picture(session, data_dir, image, "image")
        if notice_id is None:
            return notices.add_notice(session, data_dir, values, list(estate_ids), image).id
        return notices.update_notice(
            session, data_dir, notice_id, values, list(estate_ids), image
        ).id

    return run


def delete_notice(notice_id: str) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        from xmen_desktop.store import notices

        notices.delete_notice(session, notice_id)

    return run


def post_notice(
    data_dir: Path,
    notice_id: str,
    board: str,
    posted_on: object,
    photo: Image | None,
    notes: str = "",
) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import notices

        if photo is not None:
            _check_picture(session, data_dir, photo, "photo")
        return notices.post_notice(
            session,
            data_dir,
            notice_id,
            board=board,
            posted_on=posted_on,
            photo=photo,
            notes=notes,
        ).id

    return run


def take_down(notice_id: str) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        from xmen_desktop.store import notices

        return notices.take_down(session, notice_id).id

    return run
