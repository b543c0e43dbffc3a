"""Configuration profiles: installed ones, and .mobileconfig files waiting to be installed.

A profile is a property list: PayloadIdentifier, PayloadDisplayName, PayloadOrganization,
PayloadRemovalDisallowed and PayloadContent (a list of payloads, each with a PayloadType). A signed
profile is a CMS SignedData structure (DER) whose encapsulated content is that property list; it is
read here with a small DER walker, without network and without verifying the signature.
Payloads that matter for safety: root certificates (com.apple.security.root / pkcs1 / pem), privacy
grants (com.apple.TCC.configuration-profile-policy, "PPPC"), proxy, VPN and DNS settings.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.plists import PlistError, load_plist, plist_bool, plist_str, user_of_home
from techcheck.collectors.macos.tcc import pppc_service_name
from techcheck.errors import TargetError
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target

PROFILE_STORE = "/private/var/db/ConfigurationProfiles/Store"
ROOT_CERT_TYPES = {"com.apple.security.root", "com.apple.security.pkcs1", "com.apple.security.pem"}
PPPC_TYPE = "com.apple.TCC.configuration-profile-policy"

# --- DER ------------------------------------------------------------------------------------------


class DerError(ValueError):
    """Bytes that are not the DER/BER structure expected."""


@dataclass(frozen=True)
class Der:
    tag: int  # the identifier octet (class, constructed bit, number < 31)
    content: bytes
    children: tuple[Der, ...] = field(default=())

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)


def _read_length(data: bytes, pos: int) -> tuple[int | None, int]:
    if pos >= len(data):
        raise DerError("truncated length")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    if first == 0x80:
        return None, pos + 1  # BER indefinite length: ends with two zero bytes
    n = first & 0x7F
    if n > 4 or pos + 1 + n > len(data):
        raise DerError("bad length")
    return int.from_bytes(data[pos + 1:pos + 1 + n], "big"), pos + 1 + n


def parse_der(data: bytes, pos: int = 0, depth: int = 0) -> tuple[Der, int]:
    """One element at `pos` and the offset after it. Accepts BER indefinite lengths."""
    if depth > 40:
        raise DerError("nested too deeply")
    if pos + 2 > len(data):
        raise DerError("truncated element")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not used in CMS")
    length, pos = _read_length(data, pos + 1)
    constructed = bool(tag & 0x20)
    if length is None:
        if not constructed:
            raise DerError("indefinite length on a primitive element")
        children: list[Der] = []
        while True:
            if data[pos:pos + 2] == b"\x00\x00":
                return Der(tag, b"", tuple(children)), pos + 2
            child, pos = parse_der(data, pos, depth + 1)
            children.append(child)
    end = pos + length
    if end > len(data):
        raise DerError("element runs past the end")
    content = data[pos:end]
    kids: list[Der] = []
    if constructed:
        p = pos
        while p < end:
            child, p = parse_der(data, p, depth + 1)
            kids.append(child)
    return Der(tag, content, tuple(kids)), end


def _octets(el: Der) -> bytes:
    """An OCTET STRING's bytes, joining the pieces of a constructed (chunked) one."""
    if not el.constructed:
        return el.content
    return b"".join(_octets(c) for c in el.children)


def _oid(el: Der) -> str:
    if el.tag != 0x06 or not el.content:
        return ""
    b = el.content
    parts = [b[0] // 40, b[0] % 40]
    value = 0
    for byte in b[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


SIGNED_DATA_OID = "1.2.840.113549.1.7.2"
COMMON_NAME_OID = "2.5.4.3"


@dataclass(frozen=True)
class SignedContent:
    content: bytes
    signer: str  # the signing certificate's common name, '' when not found


def _name_cn(name: Der) -> str:
    """Common name from an X.501 Name (SEQUENCE of SET of SEQUENCE {OID, value})."""
    for rdn in name.children:
        for atv in rdn.children:
            if len(atv.children) >= 2 and _oid(atv.children[0]) == COMMON_NAME_OID:
                return atv.children[1].content.decode("utf-8", errors="replace")
    return ""


def _cert_parts(cert: Der) -> tuple[Der, Der, Der] | None:
    """(serial, issuer, subject) of an X.509 certificate."""
    if not cert.children or not cert.children[0].children:
        return None
    tbs = list(cert.children[0].children)
    if tbs and tbs[0].tag == 0xA0:  # [0] version
        tbs = tbs[1:]
    if len(tbs) < 5:
        return None
    return tbs[0], tbs[2], tbs[4]


def cert_common_name(der: bytes) -> str:
    cert, _ = parse_der(der)
    parts = _cert_parts(cert)
    return _name_cn(parts[2]) if parts else ""


def unwrap_signed(data: bytes) -> SignedContent:
    """The encapsulated content and the signer's name of a CMS SignedData (RFC 5652) structure."""
    info, _ = parse_der(data)
    if len(info.children) < 2 or _oid(info.children[0]) != SIGNED_DATA_OID or not info.children[1].children:
        raise DerError("not CMS signed data")
    signed = info.children[1].children[0]
    parts = list(signed.children)
    if len(parts) < 4:
        raise DerError("signed data is incomplete")
    encap = parts[2]  # version, digestAlgorithms, encapContentInfo, ...
    if len(encap.children) < 2 or encap.children[1].tag != 0xA0 or not encap.children[1].children:
        raise DerError("signed data carries no content")
    content = _octets(encap.children[1].children[0])
    certs = next((p for p in parts[3:] if p.tag == 0xA0), None)
    signer_infos = parts[-1]
    return SignedContent(content, _signer_cn(certs, signer_infos))


def _signer_cn(certs: Der | None, signer_infos: Der) -> str:
    if certs is None or not certs.children:
        return ""
    try:
        sid = signer_infos.children[0].children[1]  # SignerInfo: version, sid, ...
        serial = sid.children[1].content if sid.tag == 0x30 and len(sid.children) >= 2 else None
    except IndexError:
        serial = None
    for cert in certs.children:
        parts = _cert_parts(cert)
        if parts and (serial is None or parts[0].content == serial):
            return _name_cn(parts[2])
    return ""


# --- profiles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RootCert:
    subject: str
    sha1: str
    sha256: str


@dataclass(frozen=True)
class PrivacyGrant:
    service: str
    app: str
    allowed: bool
    status: str


@dataclass(frozen=True)
class Profile:
    identifier: str
    name: str
    organization: str
    payload_types: tuple[str, ...]
    signed: bool
    signer: str
    removal_disallowed: bool
    root_certs: tuple[RootCert, ...]
    grants: tuple[PrivacyGrant, ...]
    problems: tuple[str, ...]  # payloads that could not be understood


_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


def _cert_der(raw: bytes) -> bytes:
    m = _PEM.search(raw)
    return base64.b64decode(b"".join(m.group(1).split())) if m else raw


def _root_cert(payload: dict[str, Any]) -> RootCert:
    raw = payload.get("PayloadContent")
    if not isinstance(raw, bytes) or not raw:
        raise DerError("no certificate data")
    der = _cert_der(raw)
    parts = _cert_parts(parse_der(der)[0])
    if parts is None:
        raise DerError("not an X.509 certificate")
    subject = _name_cn(parts[2]) or plist_str(payload.get("PayloadCertificateFileName")) or ""
    return RootCert(subject, hashlib.sha1(der).hexdigest(), hashlib.sha256(der).hexdigest())


def _pppc_grants(payload: dict[str, Any]) -> list[PrivacyGrant]:
    services = payload.get("Services")
    grants = []
    for svc, entries in (services.items() if isinstance(services, dict) else []):
        for e in entries if isinstance(entries, list) else []:
            if not isinstance(e, dict):
                continue
            auth = plist_str(e.get("Authorization"))
            if auth:
                # "AllowStandardUserToSetSystemService" only lets a standard user answer the
                # prompt; it grants nothing by itself.
                allowed = auth.lower() == "allow"
                status = auth
            else:
                allowed = bool(plist_bool(e.get("Allowed")))
                status = "allow" if allowed else "deny"
            grants.append(PrivacyGrant(pppc_service_name(str(svc)), plist_str(e.get("Identifier")) or "",
                                       allowed, status))
    return grants


def profile_from_plist(plist: dict[str, Any], signed: bool = False, signer: str = "") -> Profile:
    content = plist.get("PayloadContent")
    payloads = [p for p in content if isinstance(p, dict)] if isinstance(content, list) else []
    types: list[str] = []
    certs: list[RootCert] = []
    grants: list[PrivacyGrant] = []
    problems: list[str] = []
    for p in payloads:
        ptype = plist_str(p.get("PayloadType")) or ""
        if ptype and ptype not in types:
            types.append(ptype)
        if ptype in ROOT_CERT_TYPES:
            try:
                certs.append(_root_cert(p))
            except (DerError, ValueError) as exc:
                problems.append(f"certificate payload {plist_str(p.get('PayloadIdentifier')) or ''}: {exc}")
        elif ptype == PPPC_TYPE:
            grants.extend(_pppc_grants(p))
    return Profile(
        identifier=plist_str(plist.get("PayloadIdentifier")) or "",
        name=plist_str(plist.get("PayloadDisplayName")) or "",
        organization=plist_str(plist.get("PayloadOrganization")) or "",
        payload_types=tuple(types), signed=signed, signer=signer,
        removal_disallowed=bool(plist_bool(plist.get("PayloadRemovalDisallowed"))),
        root_certs=tuple(certs), grants=tuple(grants), problems=tuple(problems),
    )


def parse_profile(data: bytes) -> Profile:
    """A .mobileconfig file, signed (CMS, DER) or plain. Raises PlistError or DerError."""
    signed, signer = False, ""
    if data[:1] == b"\x30":  # a DER SEQUENCE: a signed profile
        wrapped = unwrap_signed(data)
        data, signed, signer = wrapped.content, True, wrapped.signer
    plist = load_plist(data)
    if not isinstance(plist, dict):
        raise PlistError("a profile must be a dictionary")
    return profile_from_plist(plist, signed, signer)


def find_profile_dicts(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Profile dictionaries anywhere inside a store file (the layout changed between macOS versions)."""
    if depth > 8:
        return
    if isinstance(value, dict):
        if isinstance(value.get("PayloadIdentifier"), str) and isinstance(value.get("PayloadContent"), list):
            yield value
            return
        for v in value.values():
            yield from find_profile_dicts(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from find_profile_dicts(v, depth + 1)


def profile_artifacts(profile: Profile, path: str, user: str, installed: bool) -> Iterator[Artifact]:
    loc = Location(path=path)
    yield make("profile", loc, identifier=profile.identifier or None, name=profile.name or None,
               organization=profile.organization or None, payload_types=list(profile.payload_types),
               signed=profile.signed, signer=profile.signer or None,
               removal_disallowed=profile.removal_disallowed, installed=installed, user=user or None)
    label = profile.name or profile.identifier
    for cert in profile.root_certs:
        yield make("certificate", loc, subject=cert.subject or None, sha1=cert.sha1, sha256=cert.sha256,
                   store=f"profile: {label}", user=user or None)
    for g in profile.grants:
        yield make("permission", loc, service=g.service, app=g.app, allowed=g.allowed, status=g.status,
                   source="profile", user=user or None)


class MacProfiles(Collector):
    name = "macos.profiles"
    title = "Configuration profiles (device management, certificates, network and privacy settings)"
    platforms = ("macos",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for path in self._files(target, ctx):
            if not target.exists(path):
                continue
            try:
                data = target.read_bytes(path, 8 * 1024 * 1024)
            except TargetError as exc:
                ctx.note(target.display_path(path), Message.of("note.could_not_read", detail=err_detail(exc)))
                continue
            user = user_of_home(path)
            installed = path.lower().startswith(PROFILE_STORE.lower() + "/")
            if path.lower().endswith(".mobileconfig"):
                found = self._profile_file(target, ctx, path, data)
            else:
                found = self._store_file(target, ctx, path, data)
            for profile in found:
                for problem in profile.problems:
                    ctx.note(target.display_path(path), Message.of("note.profile_part", profile=profile.identifier,
                                                                                   problem=problem))
                yield from profile_artifacts(profile, path, user, installed)

    def _files(self, target: Target, ctx: Context) -> list[str]:
        files = [p for p in list_dir_noted(target, ctx, PROFILE_STORE) if p.lower().endswith((".plist", ".binary"))]
        for home in user_homes(target):
            # Profiles waiting to be installed are usually downloaded or mailed files.
            for folder in ("Downloads", "Desktop"):
                files += [p for p in list_dir_noted(target, ctx, f"{home.home}/{folder}")
                          if p.lower().endswith(".mobileconfig")]
        return files

    def _profile_file(self, target: Target, ctx: Context, path: str, data: bytes) -> list[Profile]:
        try:
            return [parse_profile(data)]
        except (PlistError, DerError) as exc:
            ctx.note(target.display_path(path), Message.of("note.profile_undecodable", detail=err_detail(exc)))
            return []

    def _store_file(self, target: Target, ctx: Context, path: str, data: bytes) -> list[Profile]:
        try:
            plist = load_plist(data)
        except PlistError as exc:
            ctx.note(target.display_path(path), Message.of("note.profile_store_undecodable", detail=err_detail(exc)))
            return []
        return [profile_from_plist(d) for d in find_profile_dicts(plist)]

