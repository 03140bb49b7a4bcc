"""The ``.xmb`` sync bundle file: header, manifest, encrypted payload, signature.

Layout (all integers big-endian)::

    magic  b"XMENSYNC"            8 bytes
    format version                2 bytes
    manifest length               4 bytes
    manifest                      UTF-8 JSON
    payload length                8 bytes
    payload                       AES-256-GCM ciphertext (or zlib-compressed JSON when the
                                  office has explicitly turned encryption off)
    signature                     64 bytes, Ed25519 over every byte before it

See docs/SYNC.md for the manifest fields. Reading checks, in order: the header, the signature,
the payload hash, the schema; only then is the payload decrypted (in memory; its entries are
parsed and checked a batch at a time by the merge, inside the import's transaction).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from xmen_desktop.store.errors import StoreError

MAGIC = b"XMENSYNC"
FORMAT_VERSION = 1
SIGNATURE_SIZE = 64
_HEAD = struct.Struct(">8sHI")
_PAYLOAD_LEN = struct.Struct(">Q")
# scrypt cost: ~0.1 s and 32 MB on an office PC; a guesser pays the same per try.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class BundleRefused(StoreError):
    """The file is not a bundle we may apply; nothing was changed."""


# The most a bundle may ask scrypt for (128·n·r bytes of memory): 256 MB.
MAX_SCRYPT_MEMORY = 256 * 1024 * 1024


def derive_key(
    passphrase: str, salt: bytes, n: int | None = None, r: int | None = None, p: int | None = None
) -> bytes:
    """The AES key; a bundle is opened with the cost it was written with (its manifest's)."""
    return Scrypt(salt=salt, length=32, n=n or SCRYPT_N, r=r or SCRYPT_R, p=p or SCRYPT_P).derive(
        passphrase.encode("utf-8")
    )


# Entries parsed, checked and merged at a time: memory stays flat whatever the bundle's size.
BATCH = 20_000


@dataclass
class Payload:
    """The decrypted content, still compressed; entries are parsed a batch at a time.

    The compressed text is one JSON object. Written by this version, it is laid out one entry
    to a line so that it can be read in batches::

        {"attachments":{…},"sites":[…],"entries":[
        [site index, counter, hlc, table, row id, field, JSON value, cl, base site index or -1,
         base counter or 0],
        …
        ]}
    """

    sites: list[str]
    attachments: dict[str, str]  # content hash -> base64 bytes (later issues)
    compressed: bytes
    count: int

    @property
    def entries(self) -> list[list[Any]]:
        """Every entry at once (small bundles, tests); merging uses ``batches``."""
        return [entry for batch in self.batches() for entry in batch]

    def batches(self) -> Iterator[list[list[Any]]]:
        """The entries, a few thousand at a time (as many as a piece of the text holds)."""
        try:
            pieces = _pieces(self.compressed)
            text = b""
            for piece in pieces:  # the first line is the head
                text += piece
                if b"\n" in text:
                    break
            head, _, text = text.partition(b"\n")
            if not head.endswith(_ENTRIES_OPEN.encode()):  # another layout: parse it whole
                entries = json.loads(head + text + b"".join(pieces))["entries"]
                for start in range(0, len(entries), BATCH):
                    yield entries[start : start + BATCH]
                return
            for piece in pieces:
                text += piece
                cut = text.rfind(b"\n")
                if cut > 0:  # whole lines "[…],": one JSON array, no work per entry
                    yield json.loads(b"[" + text[:cut].rstrip(b",") + b"]")
                    text = text[cut + 1 :]
            if (
                not text.endswith(b"\n" + _ENTRIES_CLOSE.encode())
                and text != _ENTRIES_CLOSE.encode()
            ):
                raise ValueError("entries not closed")
            last = text[: -len(_ENTRIES_CLOSE)].strip()
            if last:
                yield json.loads(b"[" + last + b"]")
        except (zlib.error, ValueError, KeyError, TypeError) as error:
            raise BundleRefused(_tampered()) from error


_ENTRIES_OPEN = '"entries":['
_ENTRIES_CLOSE = "]}"
_PIECE = 256 * 1024  # compressed bytes inflated at a time (about 2 MB of text)


def _pieces(compressed: bytes) -> Iterator[bytes]:
    """The decompressed text piece by piece, without ever holding all of it."""
    inflate = zlib.decompressobj()
    for start in range(0, len(compressed), _PIECE):
        yield inflate.decompress(compressed[start : start + _PIECE])
    yield inflate.flush()
    if not inflate.eof:
        raise zlib.error("payload cut short")


def _head(compressed: bytes) -> bytes:
    """The payload's first line (all of it, in another layout)."""
    text = b""
    for piece in _pieces(compressed):
        text += piece
        if b"\n" in text:
            return text.partition(b"\n")[0]
    return text


def encode_payload(
    sites: list[str], batches: Iterable[list[str]], attachments: dict[str, str]
) -> tuple[bytes, int]:
    """Compress the payload as it is produced. ``batches`` gives lists of entries, each
    already a JSON array's text. Returns the compressed bytes and the number of entries."""
    deflate = zlib.compressobj(6)
    head = json.dumps(
        {"attachments": attachments, "sites": sites}, ensure_ascii=False, separators=(",", ":")
    )
    parts = [deflate.compress(f"{head[:-1]},{_ENTRIES_OPEN}".encode())]
    count = 0
    for batch in batches:
        if batch:
            text = ("\n" if count == 0 else ",\n") + ",\n".join(batch)
            parts.append(deflate.compress(text.encode("utf-8")))
            count += len(batch)
    parts.append(deflate.compress(f"\n{_ENTRIES_CLOSE}".encode()))
    parts.append(deflate.flush())
    return b"".join(parts), count


def encode_entries(entries: list[list[Any]]) -> list[str]:
    return [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in entries]


def write_bundle(
    path: Path,
    manifest: dict[str, Any],
    plain: bytes,
    sign: Callable[[bytes], bytes],
    passphrase: str | None,
) -> int:
    """Encrypt the compressed payload (``encode_payload``), sign, and write atomically
    (temporary file, flush, fsync, rename); returns the size."""
    if passphrase is not None:
        salt, nonce = os.urandom(16), os.urandom(12)
        key = derive_key(passphrase, salt)
        body = AESGCM(key).encrypt(nonce, plain, manifest["bundle_id"].encode("ascii"))
        manifest["encryption"] = {
            "cipher": "AES-256-GCM",
            "kdf": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": base64.b64encode(salt).decode("ascii"),
            "nonce": base64.b64encode(nonce).decode("ascii"),
        }
    else:
        body = plain
        manifest["encryption"] = None
    manifest["payload_sha256"] = hashlib.sha256(body).hexdigest()
    manifest["payload_size"] = len(body)
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    unsigned = b"".join(
        (
            _HEAD.pack(MAGIC, FORMAT_VERSION, len(manifest_bytes)),
            manifest_bytes,
            _PAYLOAD_LEN.pack(len(body)),
            body,
        )
    )
    data = unsigned + sign(unsigned)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise StoreError(
            f"无法写入同步包 {path}：{error.strerror or error}。请检查 U 盘是否插好、是否已满或只读"
        ) from error
    return len(data)


@dataclass
class SignedBundle:
    """A bundle whose header, signature and payload hash have been checked (not yet decrypted)."""

    manifest: dict[str, Any]
    body: bytes
    public_key: bytes


_TRUNCATED = "同步包不完整（可能没有从 U 盘完整拷贝），没有做任何改动。请重新拷贝或重新导出"


def check_bundle(data: bytes) -> SignedBundle:
    """Header, manifest, signature and payload hash; refuses with the reason, in that order."""
    if len(data) < _HEAD.size:
        raise BundleRefused(_TRUNCATED if data.startswith(MAGIC[: len(data)]) else _not_bundle())
    magic, version, manifest_size = _HEAD.unpack_from(data)
    if magic != MAGIC:
        raise BundleRefused(_not_bundle())
    if version > FORMAT_VERSION:
        raise BundleRefused(
            f"这个同步包的格式（第 {version} 版）比本软件新，没有做任何改动。请先升级本软件"
        )
    start = _HEAD.size
    end = start + manifest_size
    if len(data) < end + _PAYLOAD_LEN.size + SIGNATURE_SIZE:
        raise BundleRefused(_TRUNCATED)
    (payload_size,) = _PAYLOAD_LEN.unpack_from(data, end)
    body_start = end + _PAYLOAD_LEN.size
    body_end = body_start + payload_size
    if len(data) != body_end + SIGNATURE_SIZE:
        raise BundleRefused(_TRUNCATED if len(data) < body_end + SIGNATURE_SIZE else _tampered())
    try:
        manifest = json.loads(data[start:end].decode("utf-8"))
        public_key = base64.b64decode(manifest["public_key"], validate=True)
        verifier = Ed25519PublicKey.from_public_bytes(public_key)
    except (ValueError, KeyError, TypeError) as error:
        raise BundleRefused(_tampered()) from error
    try:
        verifier.verify(data[body_end:], data[:body_end])
    except InvalidSignature as error:
        raise BundleRefused(_tampered()) from error
    body = data[body_start:body_end]
    if hashlib.sha256(body).hexdigest() != manifest.get("payload_sha256"):
        raise BundleRefused(_tampered())
    return SignedBundle(manifest, body, public_key)


def open_payload(bundle: SignedBundle, passphrase: str | None) -> Payload:
    """Decrypt (in memory) and parse; a wrong passphrase is told apart from damage."""
    encryption = bundle.manifest.get("encryption")
    body = bundle.body
    if encryption:
        if not passphrase:
            raise BundleRefused("这个同步包是加密的：请输入街道统一的同步口令")
        try:
            n, r, p = (int(encryption[k]) for k in ("n", "r", "p"))
            if not (n > 1 and n & (n - 1) == 0 and r > 0 and 0 < p <= 16):
                raise ValueError("scrypt parameters")
            if 128 * n * r > MAX_SCRYPT_MEMORY:
                raise ValueError("scrypt cost beyond what a bundle may ask")
            key = derive_key(passphrase, base64.b64decode(encryption["salt"]), n, r, p)
            body = AESGCM(key).decrypt(
                base64.b64decode(encryption["nonce"]),
                body,
                str(bundle.manifest["bundle_id"]).encode("ascii"),
            )
        except InvalidTag as error:
            raise BundleRefused("同步口令不对，没有做任何改动。请核对口令后重试") from error
        except (KeyError, ValueError, TypeError) as error:
            raise BundleRefused(_tampered()) from error
    try:
        head = _head(body)
        if head.endswith(_ENTRIES_OPEN.encode()):
            raw = json.loads(head + _ENTRIES_CLOSE.encode())
        else:  # another layout: one line
            raw = json.loads(head)
        sites, attachments = raw["sites"], raw.get("attachments", {})
        if not (
            isinstance(sites, list)
            and all(isinstance(site, str) for site in sites)
            and isinstance(attachments, dict)
        ):
            raise ValueError("payload head")
    except (zlib.error, ValueError, KeyError, TypeError) as error:
        raise BundleRefused(_tampered()) from error
    count = bundle.manifest.get("counts", {}).get("entries", 0)
    return Payload(sites, attachments, body, int(count) if isinstance(count, int) else 0)


def _not_bundle() -> str:
    return "这不是本软件的同步包（.xmb 文件），没有做任何改动。请确认选对了文件"


def _tampered() -> str:
    return "同步包已损坏或被改动过（签名或校验不符），没有做任何改动。请让对方重新导出"
