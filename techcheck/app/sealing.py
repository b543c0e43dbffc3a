"""Passphrase protection for the case store: AES-256-GCM with a key derived by scrypt.

Every stored value is sealed on its own (a fresh 96-bit nonce each time), so a lost clinic laptop
gives away no client code, note or report without the passphrase. A wrong passphrase is detected
by a sealed check value before anything is read or written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

# scrypt cost: about 0.1 s and 16 MiB on a small laptop (RFC 7914 recommends N=2**14 for interactive use).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
CHECK_VALUE = b"techcheck case store"


class WrongPassphrase(Exception):
    """The passphrase does not open this case store."""


def derive_key(passphrase: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(passphrase.encode("utf-8"))


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


@dataclass(frozen=True)
class Sealer:
    """Seals and opens stored values. Without a key, values are stored as they are (no passphrase)."""

    key: bytes | None = None

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def seal(self, data: bytes, context: bytes = b"") -> bytes:
        if self.key is None:
            return data
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self.key).encrypt(nonce, data, context)

    def open(self, blob: bytes, context: bytes = b"") -> bytes:
        if self.key is None:
            return bytes(blob)
        try:
            return AESGCM(self.key).decrypt(bytes(blob[:NONCE_BYTES]), bytes(blob[NONCE_BYTES:]), context)
        except InvalidTag as exc:
            raise WrongPassphrase("the passphrase does not open this case store") from exc

    def seal_text(self, text: str, context: str = "") -> bytes:
        return self.seal(text.encode("utf-8"), context.encode())

    def open_text(self, blob: bytes, context: str = "") -> str:
        return self.open(blob, context.encode()).decode("utf-8")
