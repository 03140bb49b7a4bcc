"""Photos and scans, stored once by content hash in the data folder's attachments/."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from sqlmodel import Session

from xmen_desktop.domain.ids import natural_id
from xmen_desktop.store.common import revive
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import Attachment

MAX_BYTES = 30 * 1024 * 1024
# Printed images never need more than this many pixels on the long side (A3 at ~150 dpi).
PRINT_MAX_PIXELS = 2400


def attachments_dir(data_dir: Path) -> Path:
    return data_dir / "attachments"


def blob_path(data_dir: Path, sha256: str) -> Path:
    return attachments_dir(data_dir) / sha256[:2] / sha256


def write_blob(data_dir: Path, data: bytes) -> str:
    """Store bytes under their SHA-256 (idempotent, atomic); returns the hash."""
    digest = hashlib.sha256(data).hexdigest()
    target = blob_path(data_dir, digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    os.replace(partial, target)
    return digest


def read_blob(data_dir: Path, sha256: str) -> bytes | None:
    try:
        return blob_path(data_dir, sha256).read_bytes()
    except OSError:
        return None


def add_attachment(
    session: Session, data_dir: Path, data: bytes, *, name: str = "", mime: str | None = None
) -> Attachment:
    if len(data) > MAX_BYTES:
        raise StoreError(
            f"文件太大（{len(data) // 1_000_000} MB），请用不超过 30 MB 的照片或扫描件"
        )
    width = height = None
    if mime is None or mime.startswith("image/"):
        width, height, mime = _image_facts(data, name)
    digest = write_blob(data_dir, data)
    attachment_id = natural_id("attachment", digest)
    row = session.get(Attachment, attachment_id)
    if row is None:
        row = Attachment(
            id=attachment_id,
            sha256=digest,
            mime=mime or "application/octet-stream",
            size=len(data),
            original_name=name,
            width=width,
            height=height,
        )
        session.add(row)
    revive(row)
    session.flush()
    return row


def _image_facts(data: bytes, name: str) -> tuple[int, int, str]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            kind = (image.format or "").lower()
            return image.width, image.height, f"image/{'jpeg' if kind == 'jpg' else kind}"
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise StoreError(
            f"“{name or '这个文件'}”不是能识别的图片：请选 JPG 或 PNG 格式的照片"
        ) from error


def printable_image(session: Session, data_dir: Path, original: Attachment) -> Attachment:
    """A copy scaled down for printing when the original is huge; the original is kept."""
    if (original.width or 0) <= PRINT_MAX_PIXELS and (original.height or 0) <= PRINT_MAX_PIXELS:
        return original
    from PIL import Image

    data = read_blob(data_dir, original.sha256)
    if data is None:
        raise StoreError("找不到图片文件，请重新选择图片")
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        image.thumbnail((PRINT_MAX_PIXELS, PRINT_MAX_PIXELS))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=88)
    return add_attachment(
        session, data_dir, buffer.getvalue(), name=f"打印用-{original.original_name}"
    )
