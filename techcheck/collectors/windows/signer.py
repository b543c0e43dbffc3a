"""The Authenticode signer of a Windows program file, read offline with LIEF (https://lief.re,
Apache-2.0): the name (CN, else O) in the certificate of the signature's signer, as the file states it.

It is a name, not a verdict: LIEF checks that the signature fits the file, not that the certificate
leads to a trusted root, so a self-made certificate can carry any name. Files Windows signs through
its catalogs (most of System32) carry no signature inside and give no name.
"""

from __future__ import annotations

import re

READ_LIMIT = 64 * 1024 * 1024
PE_SUFFIXES = (".exe", ".dll", ".sys", ".scr", ".ocx", ".cpl", ".efi")
_PART = re.compile(r"(?:^|,\s*)(CN|O)=((?:[^,\\]|\\.)+)")


def subject_name(subject: str) -> str:
    """CN, else O, of an X.500 subject written as 'C=SE, O=Spotify AB, CN=Spotify AB'."""
    parts = {k: v.strip() for k, v in _PART.findall(subject)}
    return parts.get("CN") or parts.get("O") or ""


def signer_name(data: bytes) -> str:
    """The signer's name of a PE file's embedded Authenticode signature; '' when unsigned or unreadable."""
    if data[:2] != b"MZ":
        return ""
    import lief

    lief.logging.disable()  # LIEF prints parse warnings; an unreadable file is simply unsigned here
    try:
        binary = lief.PE.parse(data)
    except Exception:  # noqa: BLE001 - a damaged or hostile file gives no name, never a crash
        return ""
    if binary is None:
        return ""
    for signature in binary.signatures:
        for signer in signature.signers:
            cert = signer.cert
            name = subject_name(str(cert.subject)) if cert is not None else ""
            if name:
                return name
    return ""
