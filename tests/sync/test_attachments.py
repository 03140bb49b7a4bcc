"""Photos travel with their records: a notice's picture reaches the other PC."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from xmen_desktop.store import attachments, notices, sync
from xmen_desktop.store.database import Store
from xmen_desktop.store.models import Attachment, Notice


def test_a_notice_image_syncs_with_the_notice(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 120, 200)).save(buffer, "PNG")
    picture = buffer.getvalue()
    first = Store.open(tmp_path / "a", site_name="甲")
    second = Store.open(tmp_path / "b", site_name="乙")
    try:
        with first.write() as session:
            estates = notices.resolve_estates(session, ["小西门"])
            notice = notices.add_notice(
                session,
                first.directory,
                {"kind": "通知", "title": "有图的通知", "body": "正文"},
                estates,
                (picture, "图.png"),
            )
        bundle = tmp_path / "a.xmb"
        sync.export_bundle(first, bundle, passphrase="同步口令12345")
        incoming = sync.read_bundle(second, bundle, "同步口令12345")
        sync.apply_bundle(second, incoming, trust_new=True)
        with second.read() as session:
            received = session.get(Notice, notice.id)
            image = session.get(Attachment, received.image_id)
        assert attachments.read_blob(second.directory, image.sha256) == picture
    finally:
        first.close()
        second.close()
