"""Configuration profiles: installed ones, and .mobileconfig files waiting to be installed.

A profile is a property list: PayloadIdentifier, PayloadDisplayName, PayloadOrganization,
PayloadRemovalDisallowed and PayloadContent (a list of payloads, each with a PayloadType). A signed
profile is a CMS SignedData structure (DER or BER) whose encapsulated content is that property list;
it is read with asn1crypto, without network and without verifying the signature.
Payloads that matter for safety: root certificates (com.apple.security.root / pkcs1 / pem), privacy
grants (com.apple.TCC.configuration-profile-policy, "PPPC"), proxy, VPN and DNS settings.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, x509

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, list_dir_noted, read_bytes_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.macos.plists import PlistError, load_plist, plist_bool, plist_str, user_of_home
from techcheck.collectors.macos.tcc import pppc_service_name
from techcheck.i18n import Message, err_detail
from techcheck.target.base import Target

PROFILE_STORE = "/private/var/db/ConfigurationProfiles/Store"
ROOT_CERT_TYPES = {"com.apple.security.root", "com.apple.security.pkcs1", "com.apple.security.pem"}
PPPC_TYPE = "com.apple.TCC.configuration-profile-policy"

# --- CMS (asn1crypto) -----------------------------------------------------------------------------


class DerError(ValueError):
    """Bytes that are not the DER/BER structure expected."""


# What asn1crypto raises on bytes that do not follow the structure (it decodes lazily, so on access too).
_DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


@dataclass(frozen=True)
class SignedContent:
    content: bytes
    signer: str  # the signing certificate's common name, '' when it is not among the certificates


def name_common_name(name: x509.Name) -> str:
    """The first common name of an X.501 name, whatever string type it is written in (UTF8String,
    PrintableString, BMPString, ...)."""
    for rdn in name.chosen:
        for atv in rdn:
            if atv["type"].native == "common_name":
                return str(atv["value"].native)
    return ""


def _load_cert(der: bytes) -> x509.Certificate:
    try:
        cert = x509.Certificate.load(der, strict=True)
        _ = cert["tbs_certificate"]["subject"].chosen  # decode now: errors surface here
        return cert
    except _DECODE_ERRORS as exc:
        raise DerError("not an X.509 certificate") from exc


def cert_common_name(der: bytes) -> str:
    """The subject's common name of a DER certificate."""
    cert = _load_cert(der)
    try:
        return name_common_name(cert.subject)
    except _DECODE_ERRORS as exc:
        raise DerError("the certificate's name cannot be decoded") from exc


def _signer_cert(certs: list[x509.Certificate], sid: cms.SignerIdentifier) -> x509.Certificate | None:
    """The certificate a SignerInfo names: by issuer and serial number, or by subject key identifier
    (the certificate's extension, else the SHA-1 of its public key, RFC 5280 4.2.1.2)."""
    if sid.name == "issuer_and_serial_number":
        issuer, serial = sid.chosen["issuer"], sid.chosen["serial_number"].native
        return next((c for c in certs if c.serial_number == serial and c.issuer == issuer), None)
    key_id = sid.chosen.native
    return next((c for c in certs if key_id in (c.key_identifier, c.public_key.sha1)), None)


def unwrap_signed(data: bytes) -> SignedContent:
    """The encapsulated content and the signer's name of a CMS SignedData (RFC 5652) structure.

    Read without network and without verifying the signature: the name is as the file states it.
    """
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            raise DerError("not CMS signed data")
        signed = info["content"]
        content = signed["encap_content_info"]["content"].native
        if not isinstance(content, bytes):
            raise DerError("signed data carries no content")
        certs = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
        infos = list(signed["signer_infos"])
        cert = _signer_cert(certs, infos[0]["sid"]) if infos else None
        return SignedContent(content, name_common_name(cert.subject) if cert else "")
    except _DECODE_ERRORS as exc:
        if isinstance(exc, DerError):
            raise
        raise DerError(f"not readable CMS signed data ({type(exc).__name__})") from exc


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
    subject = cert_common_name(der) or plist_str(payload.get("PayloadCertificateFileName")) or ""
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
            data = read_bytes_noted(target, ctx, path, 8 * 1024 * 1024)
            if data is None:
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

