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
the payload hash, the schema; only then is the payload decrypted and parsed, all in memory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import zlib
from collections.abc import Callable
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


def derive_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        passphrase.encode("utf-8")
    )


@dataclass
class Payload:
    sites: list[str]
    # [site index, counter, hlc, table, row id, field, JSON value, cl, base site index or -1,
    #  base counter or 0]
    entries: list[list[Any]]
    attachments: dict[str, str]  # content hash -> base64 bytes (later issues)


def encode_payload(payload: Payload) -> bytes:
    text = json.dumps(
        {"sites": payload.sites, "entries": payload.entries, "attachments": payload.attachments},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return zlib.compress(text.encode("utf-8"), 6)


def write_bundle(
    path: Path,
    manifest: dict[str, Any],
    payload: Payload,
    sign: Callable[[bytes], bytes],
    passphrase: str | None,
) -> int:
    """Encrypt, sign and write atomically (temporary file, flush, fsync, rename); returns size."""
    plain = encode_payload(payload)
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
            key = derive_key(passphrase, base64.b64decode(encryption["salt"]))
            body = AESGCM(key).decrypt(
                base64.b64decode(encryption["nonce"]),
                body,
                str(bundle.manifest["bundle_id"]).encode("ascii"),
            )
        except InvalidTag as error:
            raise BundleRefused("同步口令不对，没有做任何改动。请核对口令后重试") from error
        except (KeyError, ValueError) as error:
            raise BundleRefused(_tampered()) from error
    try:
        raw = json.loads(zlib.decompress(body).decode("utf-8"))
        return Payload(raw["sites"], raw["entries"], raw.get("attachments", {}))
    except (zlib.error, ValueError, KeyError, TypeError) as error:
        raise BundleRefused(_tampered()) from error


def _not_bundle() -> str:
    return "这不是本软件的同步包（.xmb 文件），没有做任何改动。请确认选对了文件"


def _tampered() -> str:
    return "同步包已损坏或被改动过（签名或校验不符），没有做任何改动。请让对方重新导出"
