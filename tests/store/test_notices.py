from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from xmen_desktop.store import attachments, notices, printables
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import Attachment

BODY = "各位居民：\n\n本小区将于12月1日起实行垃圾分类定时投放。\n\n1. 投放时间：每天7:00-9:00"


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _add(
    store: Store, estates: list[str], image: tuple[bytes, str] | None = None, **values: object
) -> str:
    with store.write() as session:
        ids = notices.resolve_estates(session, estates)
        fields = {"kind": "通知", "title": "关于垃圾分类的通知", "body": BODY, **values}
        return notices.add_notice(session, store.directory, fields, ids, image).id


def test_a_notice_for_several_estates_or_the_whole_subdistrict(store: Store) -> None:
    _add(store, ["小西门", "龙门村"])
    _add(store, ["all"])
    with store.read() as session:
        for_longmen = notices.list_notices(session, notices.resolve_estates(session, ["龙门村"])[0])
        for_luxing = notices.list_notices(session, notices.resolve_estates(session, ["陆兴"])[0])
    assert len(for_longmen) == 2
    assert [r.estates for r in for_luxing] == [("全街道",)]


def test_publicity_watch_lists_running_ending_and_overdue(store: Store) -> None:
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    _add(
        store, ["小西门"], title="进行中", publicity_from=today - day, publicity_to=today + 10 * day
    )
    _add(store, ["小西门"], title="快结束", publicity_from=today - day, publicity_to=today + day)
    overdue = _add(
        store, ["小西门"], title="已结束", publicity_from=today - 9 * day, publicity_to=today - day
    )
    _add(store, ["小西门"], title="没有公示期")
    with store.read() as session:
        watched = notices.publicity_watch(session)
    assert [r.title for r in watched] == ["已结束", "快结束", "进行中"]
    with store.write() as session:
        notices.take_down(session, overdue)
        assert [r.title for r in notices.publicity_watch(session)] == ["快结束", "进行中"]


def test_postings_record_board_date_and_photo(store: Store) -> None:
    notice_id = _add(store, ["小西门"])
    with store.write() as session:
        notices.post_notice(
            session,
            store.directory,
            notice_id,
            board="1号门口宣传栏",
            photo=(_png(40, 30), "照片.png"),
        )
    with store.read() as session:
        (posting,) = notices.postings(session, notice_id)
        photo = session.get(Attachment, posting.photo_id)
    assert posting.board == "1号门口宣传栏" and posting.posted_by
    assert attachments.read_blob(store.directory, photo.sha256) == _png(40, 30)
    with pytest.raises(StoreError, match="宣传栏"), store.write() as session:
        notices.post_notice(session, store.directory, notice_id, board="  ")


def test_huge_image_is_scaled_for_print_and_the_original_kept(store: Store) -> None:
    big = _png(5000, 3000)
    notice_id = _add(store, ["小西门"], image=(big, "大图.png"))
    with store.read() as session:
        from xmen_desktop.store.models import Notice

        notice = session.get(Notice, notice_id)
        printed = session.get(Attachment, notice.image_id)
        original = session.get(Attachment, notice.original_image_id)
    assert (original.width, original.height) == (5000, 3000)
    assert max(printed.width, printed.height) <= attachments.PRINT_MAX_PIXELS
    assert attachments.read_blob(store.directory, original.sha256) == big


def test_a_file_that_is_not_an_image_is_refused_and_nothing_saved(
    store: Store, tmp_path: Path
) -> None:
    with pytest.raises(StoreError, match="不是能识别的图片"):
        _add(store, ["小西门"], image=(b"not an image", "x.png"))
    with store.read() as session:
        assert notices.list_notices(session) == []
        assert session.exec(select(Attachment)).all() == []


def test_same_photo_twice_is_stored_once(store: Store) -> None:
    with store.write() as session:
        first = attachments.add_attachment(session, store.directory, _png(10, 10), name="a.png")
        second = attachments.add_attachment(session, store.directory, _png(10, 10), name="b.png")
    assert first.id == second.id


def test_print_list_names_notices_for_the_estate(store: Store) -> None:
    _add(store, ["小西门"], title="只给小西门")
    with store.read() as session:
        xiaoximen = notices.resolve_estates(session, ["小西门"])[0]
        luxing = notices.resolve_estates(session, ["陆兴"])[0]
        assert [p.kind for p in printables.printable_list(session, xiaoximen)] == ["notice"]
        assert printables.printable_list(session, luxing) == []
