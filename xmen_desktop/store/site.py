"""This PC's identity as a site."""

from __future__ import annotations

from sqlalchemy import text

from xmen_desktop.domain.validation import clean_text
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.models import Site


def rename_site(store: Store, name: str) -> None:
    name = clean_text(name)
    if not name:
        raise StoreError("站点名称不能为空")
    with store.write() as session:
        site = session.get(Site, store.site_id)
        assert site is not None
        site.name = name
        # The local copy of the name is not shared data; it only saves a join at start.
        session.execute(text("UPDATE local_identity SET site_name = :n"), {"n": name})
    store.site_name = name
