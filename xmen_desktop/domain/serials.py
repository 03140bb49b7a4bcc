"""Ballot serials with a check digit, so a mistyped serial is caught before it is counted.

A serial is ``VVVVVV-NNNN-C``: six digits that name the vote, four that number the ballot
within it, and a Damm check digit over the ten. Damm catches every single wrong digit and
every swap of two neighbouring digits — the two mistakes people make typing numbers.
Digits only, so a USB scanner types it the same on any keyboard layout.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

MAX_BALLOTS = 9999


def check_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


def vote_code(vote_id: str) -> str:
    """Six digits derived from the vote's id (the same on every PC)."""
    return f"{uuid.UUID(vote_id).int % 1_000_000:06d}"


def make_serial(vote_id: str, number: int) -> str:
    if not 1 <= number <= MAX_BALLOTS:
        raise ValueError(f"ballot number out of range: {number}")
    body = f"{vote_code(vote_id)}{number:04d}"
    return f"{body[:6]}-{body[6:]}-{check_digit(body)}"


class SerialError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Serial:
    vote_code: str
    number: int

    @property
    def text(self) -> str:
        body = f"{self.vote_code}{self.number:04d}"
        return f"{body[:6]}-{body[6:]}-{check_digit(body)}"


_DIGITS = re.compile(r"\d{11}")


def parse_serial(raw: str) -> Serial:
    """Accept what a scanner or a person types (spaces, dashes, full-width digits)."""
    import unicodedata

    digits = re.sub(r"[\s\-－—_]", "", unicodedata.normalize("NFKC", raw or ""))
    if not _DIGITS.fullmatch(digits):
        raise SerialError(f"“{raw.strip()}”不是表决票编号：编号是 11 位数字，形如 123456-0001-7")
    if check_digit(digits) != 0:
        raise SerialError(f"编号 {raw.strip()} 的校验位不对，可能输错了一位，请核对票面上的编号")
    number = int(digits[6:10])
    if number == 0:
        raise SerialError(f"编号 {raw.strip()} 不是有效的表决票编号")
    return Serial(digits[:6], number)
