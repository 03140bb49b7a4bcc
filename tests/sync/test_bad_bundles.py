"""A bundle that must not be applied is refused with its reason, and the database is untouched.

"Untouched" is checked on the file: every store is closed (so SQLite folds its write-ahead log
into the file and removes it) and the bytes of the .sqlite3 file are compared, as is what
``dump`` prints.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sync.helpers import PASSPHRASE, add_household, apply, dump, export, open_pc
from xmen_desktop.store import bundle as bundles
from xmen_desktop.store import sync
from xmen_desktop.store.database import Store
from xmen_desktop.store.identity import load_keys

# Encrypted with the passphrase at a low scrypt cost (see conftest); readers, the command line
# included, take the cost from the manifest.
pytestmark = pytest.mark.usefixtures("cheap_kdf")

TRUNCATED = "同步包不完整"
TAMPERED = "同步包已损坏或被改动过"
NOT_A_BUNDLE = "这不是本软件的同步包"
NEWER_FORMAT = "格式（第"
NEWER_SCHEMA = "请把本软件升级到"
WRONG_PASSPHRASE = "同步口令不对"
NEEDS_PASSPHRASE = "这个同步包是加密的"
UNTRUSTED = "尚未信任的站点"
FORGED = "签名用的不是该站点的密钥"
UNKNOWN_CONTENT = "本软件不认识的内容"
NOTHING_CHANGED = "没有做任何改动"


@dataclass
class Office:
    """A receiving PC (closed between uses), the PC that sent to it, and a good new bundle."""

    folder: Path
    sender: Store
    good: Path

    def open(self) -> Store:
        return Store.open(self.folder)

    @property
    def database(self) -> Path:
        return self.folder / "xmen.sqlite3"

    def snapshot(self) -> tuple[str, str]:
        """(hash of the database file, dump) with no store open."""
        assert not Path(f"{self.database}-wal").exists(), "a store is still open"
        digest = hashlib.sha256(self.database.read_bytes()).hexdigest()
        store = self.open()
        try:
            text = dump(store)
        finally:
            store.close()
        assert hashlib.sha256(self.database.read_bytes()).hexdigest() == digest
        return digest, text


@pytest.fixture
def office(tmp_path: Path, sticks: Path) -> Iterator[Office]:
    sender = open_pc(tmp_path, "发送站")
    receiver = open_pc(tmp_path, "接收站")
    try:
        add_household(receiver, "本机住户", "河南南路 1 号")
        add_household(sender, "第一户", "河南南路 2 号")
        apply(receiver, export(sender, sticks))  # the receiver trusts the sender from now on
        add_household(sender, "第二户", "河南南路 3 号", phone="13912345678", size=3)
        good = export(sender, sticks, full=True)
        receiver.close()
        yield Office(tmp_path / "接收站", sender, good)
    finally:
        sender.close()


def refused(office: Office, path: Path, passphrase: str | None = PASSPHRASE) -> str:
    """Try the whole import through the store API; the reason it was refused."""
    before = office.snapshot()
    store = office.open()
    try:
        with pytest.raises(bundles.BundleRefused) as caught:
            incoming = sync.read_bundle(store, path, passphrase)
            sync.preview(store, incoming)
            sync.apply_bundle(store, incoming)
    finally:
        store.close()
    assert office.snapshot() == before
    message = str(caught.value)
    assert NOTHING_CHANGED in message or "口令" in message
    assert "\n" not in message
    return message


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------- the file's parts


@dataclass
class Parts:
    head: bytes  # magic, version, manifest length
    manifest: bytes
    payload_length: bytes
    payload: bytes
    signature: bytes

    @classmethod
    def of(cls, data: bytes) -> Parts:
        head = bundles._HEAD.size
        (manifest_size,) = bundles._HEAD.unpack_from(data)[2:]
        body_start = head + manifest_size + bundles._PAYLOAD_LEN.size
        return cls(
            data[:head],
            data[head : head + manifest_size],
            data[head + manifest_size : body_start],
            data[body_start : -bundles.SIGNATURE_SIZE],
            data[-bundles.SIGNATURE_SIZE :],
        )

    def offsets(self) -> dict[str, int]:
        """Where each part starts (and a point inside it)."""
        manifest = len(self.head)
        payload = manifest + len(self.manifest) + len(self.payload_length)
        signature = payload + len(self.payload)
        return {
            "magic": 3,
            "version": 9,
            "manifest": manifest + len(self.manifest) // 2,
            "payload": payload + len(self.payload) // 2,
            "signature": signature + 30,
        }


def reassemble(
    manifest: dict[str, object],
    body: bytes,
    sign: Callable[[bytes], bytes],
    version: int = bundles.FORMAT_VERSION,
) -> bytes:
    """A bundle file from its parts, signed by ``sign``: what a newer app or a forger writes."""
    raw = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    unsigned = (
        bundles._HEAD.pack(bundles.MAGIC, version, len(raw))
        + raw
        + bundles._PAYLOAD_LEN.pack(len(body))
        + body
    )
    return unsigned + sign(unsigned)


# ---------------------------------------------------------------------------- damage


@pytest.mark.parametrize("where", ["header", "manifest", "payload", "signature", "empty"])
def test_a_truncated_bundle_is_refused(office: Office, sticks: Path, where: str) -> None:
    data = office.good.read_bytes()
    parts = Parts.of(data)
    cut = {
        "header": 11,
        "manifest": len(parts.head) + 40,
        "payload": parts.offsets()["payload"],
        "signature": len(data) - 10,
        "empty": 0,
    }[where]
    assert TRUNCATED in refused(office, write(sticks / "cut.xmb", data[:cut]))


@pytest.mark.parametrize(
    ("part", "reason"),
    [
        ("magic", NOT_A_BUNDLE),
        ("version", NEWER_FORMAT),  # 1 → 254: the header says "newer", before any signature
        ("manifest", TAMPERED),
        ("payload", TAMPERED),
        ("signature", TAMPERED),
    ],
)
def test_a_flipped_byte_is_refused(office: Office, sticks: Path, part: str, reason: str) -> None:
    data = bytearray(office.good.read_bytes())
    data[Parts.of(bytes(data)).offsets()[part]] ^= 0xFF
    assert reason in refused(office, write(sticks / "flipped.xmb", bytes(data)))


def test_a_flipped_bit_in_every_part_is_refused(office: Office, sticks: Path) -> None:
    """Low bits too: version 1 → 0 is an old header, and then the signature fails."""
    data = office.good.read_bytes()
    for part, offset in Parts.of(data).offsets().items():
        damaged = bytearray(data)
        damaged[offset] ^= 0x01
        message = refused(office, write(sticks / f"bit-{part}.xmb", bytes(damaged)))
        assert any(r in message for r in (NOT_A_BUNDLE, TAMPERED, TRUNCATED)), (part, message)


def test_bytes_appended_to_a_bundle_are_refused(office: Office, sticks: Path) -> None:
    data = office.good.read_bytes() + b"\0" * 16
    assert TAMPERED in refused(office, write(sticks / "longer.xmb", data))


def test_a_file_that_is_not_a_bundle_is_refused(office: Office, sticks: Path) -> None:
    for name, data in [
        ("roster.csv", "承租人,地址\n张三,河南南路 5 号\n".encode("gb18030")),
        ("notice.pdf", b"%PDF-1.7\n" + os.urandom(2000)),
        ("tiny.xmb", b"XM"),  # starts like a bundle: taken as a cut copy
    ]:
        message = refused(office, write(sticks / name, data))
        assert (TRUNCATED if name == "tiny.xmb" else NOT_A_BUNDLE) in message


# ---------------------------------------------------------------------------- passphrase


def test_a_wrong_passphrase_is_refused(office: Office) -> None:
    assert WRONG_PASSPHRASE in refused(office, office.good, "老西门同步口令2025")


def test_an_encrypted_bundle_without_a_passphrase_is_refused(office: Office) -> None:
    assert NEEDS_PASSPHRASE in refused(office, office.good, None)


def test_a_bundle_written_with_another_scrypt_cost_opens(
    office: Office, sticks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader takes the cost from the manifest: a bundle from a version with another cost
    is not mistaken for a wrong passphrase."""
    with monkeypatch.context() as patched:
        patched.setattr(bundles, "SCRYPT_N", 2**13)
        path = export(office.sender, sticks, full=True)
    assert json.loads(Parts.of(path.read_bytes()).manifest)["encryption"]["n"] == 2**13
    store = office.open()
    try:
        assert sync.read_bundle(store, path, PASSPHRASE).payload.count > 0
    finally:
        store.close()


# ---------------------------------------------------------------------------- signers


def test_an_unknown_signer_needs_trust_new(tmp_path: Path, sticks: Path) -> None:
    stranger = open_pc(tmp_path, "陌生站")
    try:
        add_household(stranger, "陌生户", "河南南路 9 号")
        path = export(stranger, sticks)
        fingerprint = load_keys(stranger.engine, stranger.site_id).fingerprint
    finally:
        stranger.close()
    office = Office(tmp_path / "新站", stranger, path)
    open_pc(tmp_path, "新站").close()
    message = refused(office, path)
    assert UNTRUSTED in message and fingerprint in message and "--trust-new" in message

    store = office.open()
    try:
        report = sync.apply_bundle(store, sync.read_bundle(store, path, PASSPHRASE), trust_new=True)
        assert report.stats.new["household"] == 1
        assert sync.read_bundle(store, path, PASSPHRASE).trusted
    finally:
        store.close()


def test_a_bundle_naming_a_trusted_site_but_signed_by_another_key_is_refused(
    office: Office, tmp_path: Path, sticks: Path
) -> None:
    forger = open_pc(tmp_path, "冒充站")
    try:
        keys = load_keys(forger.engine, forger.site_id)
    finally:
        forger.close()
    parts = Parts.of(office.good.read_bytes())
    manifest = json.loads(parts.manifest)  # names the trusted sender …
    manifest["public_key"] = sync._b64(keys.public_key)  # … but carries the forger's key
    path = write(sticks / "forged.xmb", reassemble(manifest, parts.payload, keys.sign))
    assert FORGED in refused(office, path)


def test_a_trusted_key_signing_for_another_site_is_refused(
    office: Office, tmp_path: Path, sticks: Path
) -> None:
    """The sender's own (trusted) key used to speak for a site it is not."""
    parts = Parts.of(office.good.read_bytes())
    manifest = json.loads(parts.manifest)
    manifest["site_id"] = "00000000-0000-4000-8000-000000000000"
    keys = load_keys(office.sender.engine, office.sender.site_id)
    path = write(sticks / "other-site.xmb", reassemble(manifest, parts.payload, keys.sign))
    assert FORGED in refused(office, path)


# ---------------------------------------------------------------------------- versions


def test_a_newer_format_is_refused(office: Office, sticks: Path) -> None:
    parts = Parts.of(office.good.read_bytes())
    keys = load_keys(office.sender.engine, office.sender.site_id)
    data = reassemble(json.loads(parts.manifest), parts.payload, keys.sign, version=2)
    message = refused(office, write(sticks / "format2.xmb", data))
    assert "第 2 版" in message and "升级" in message


def test_a_newer_schema_asks_to_update_the_app(office: Office, sticks: Path) -> None:
    parts = Parts.of(office.good.read_bytes())
    manifest = json.loads(parts.manifest)
    manifest["schema"] = "9999"
    manifest["app_version"] = "9.9.0"
    keys = load_keys(office.sender.engine, office.sender.site_id)
    data = reassemble(manifest, parts.payload, keys.sign)
    message = refused(office, write(sticks / "schema.xmb", data))
    assert NEWER_SCHEMA in message and "9.9.0" in message


def test_entries_this_version_does_not_know_are_refused_whole(office: Office, sticks: Path) -> None:
    """Signed and decryptable, but one entry names a table this version lacks: nothing of the
    bundle is applied (the good entries before it neither)."""
    keys = load_keys(office.sender.engine, office.sender.site_id)
    store = office.open()
    try:
        good = sync.read_bundle(store, office.good, PASSPHRASE)
    finally:
        store.close()
    entries = good.payload.entries
    assert entries
    strange = [*entries, [0, 10_000, entries[-1][2], "future_table", "x", "f", "1", 1, -1, 0]]
    plain, count = bundles.encode_payload(good.payload.sites, [bundles.encode_entries(strange)], {})
    manifest = {**good.manifest, "bundle_id": "11111111-2222-4333-8444-555555555555"}
    path = sticks / "strange.xmb"
    bundles.write_bundle(path, manifest, plain, keys.sign, PASSPHRASE)
    assert count == len(entries) + 1
    assert UNKNOWN_CONTENT in refused(office, path)


# ---------------------------------------------------------------------------- twice


def test_the_same_bundle_twice_changes_nothing_the_second_time(office: Office) -> None:
    store = office.open()
    try:
        first = sync.apply_bundle(store, sync.read_bundle(store, office.good, PASSPHRASE))
        assert first.stats.new["household"] == 1
    finally:
        store.close()
    before = office.snapshot()
    store = office.open()
    try:
        again = sync.read_bundle(store, office.good, PASSPHRASE)
        assert again.already_applied_at is not None
        report = sync.apply_bundle(store, again)
        assert report.already_applied_at and report.stats.applied == 0
        assert report.stats.skipped == report.stats.received > 0
    finally:
        store.close()
    assert office.snapshot() == before


# ---------------------------------------------------------------------------- the command line


def xmen(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XMEN_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "xmen_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=env,
    )


def test_the_command_line_refuses_with_one_line_and_changes_nothing(
    office: Office, tmp_path: Path, sticks: Path
) -> None:
    passphrase = write(tmp_path / "口令.txt", (PASSPHRASE + "\n").encode("utf-8"))
    wrong = write(tmp_path / "错口令.txt", "不是这个口令的口令\n".encode())
    data = office.good.read_bytes()
    cut = write(sticks / "cut.xmb", data[: len(data) // 2])
    other = write(sticks / "roster.xlsx", b"PK\x03\x04" + os.urandom(500))
    cases = [
        ([str(cut), "--passphrase-file", str(passphrase)], TRUNCATED),
        ([str(other), "--passphrase-file", str(passphrase)], NOT_A_BUNDLE),
        ([str(office.good), "--passphrase-file", str(wrong)], WRONG_PASSPHRASE),
        ([str(office.good)], NEEDS_PASSPHRASE),
    ]
    before = office.snapshot()
    for args, reason in cases:
        result = xmen(office.folder, "sync", "import", *args)
        assert result.returncode != 0, args
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("错误：") and reason in lines[0], lines[0]
        assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
        assert office.snapshot() == before

    # The same through a fresh PC: an unknown signer, refused, then trusted on request.
    fresh = tmp_path / "新电脑"
    assert xmen(fresh, "init", "--site-name", "新电脑").returncode == 0
    fresh_office = Office(fresh, office.sender, office.good)
    untouched = fresh_office.snapshot()
    args = ["sync", "import", str(office.good), "--passphrase-file", str(passphrase)]
    result = xmen(fresh, *args)
    assert result.returncode != 0 and UNTRUSTED in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert fresh_office.snapshot() == untouched
    accepted = xmen(fresh, *args, "--trust-new", "--json")
    assert accepted.returncode == 0, accepted.stderr
    summary = json.loads(accepted.stdout)
    assert summary["applied"] > 0 and summary["new"]["household"] == 2
    twice = xmen(fresh, *args, "--json")
    assert twice.returncode == 0
    assert json.loads(twice.stdout)["already_applied"] is True
    assert json.loads(twice.stdout)["applied"] == 0
