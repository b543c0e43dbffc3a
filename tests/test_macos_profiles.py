"""Configuration profiles: the real unsigned and signed (CMS/DER) ones, profiles signed here (by issuer and
serial, by key id, with BMPString names), root certificates, PPPC grants."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import plistlib
import ssl
from pathlib import Path

import pytest
from asn1crypto import cms, keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.collectors.macos.plists import PlistError
from techcheck.collectors.macos.profiles import (
    DerError,
    MacProfiles,
    cert_common_name,
    parse_profile,
    unwrap_signed,
)
from tests.conftest import realdata, write
from tests.macos_tree import collect, mac_skeleton, only, put_real, write_plist

PROFILES = "macos/profiles/"


def real(name: str) -> bytes:
    return realdata(PROFILES + name).read_bytes()


def test_unsigned_cloudflare_dns_profile() -> None:
    p = parse_profile(real("cloudflare-default-https.mobileconfig"))
    assert (p.identifier, p.name, p.organization) == (
        "com.paulmillr.apple-dns", "Cloudflare 1.1.1.1 Encrypted DNS over HTTPS", "")
    assert p.payload_types == ("com.apple.dnsSettings.managed",)
    assert (p.signed, p.signer, p.removal_disallowed) == (False, "", False)
    assert p.root_certs == () and p.grants == ()


def test_signed_profile_inner_plist_and_signer() -> None:
    data = real("cloudflare-default-https.signed.mobileconfig")
    assert data[:2] == b"\x30\x82"
    wrapped = unwrap_signed(data)
    assert wrapped.content.startswith(b"<?xml") and b"com.paulmillr.apple-dns" in wrapped.content
    assert wrapped.signer == "encrypted-dns.brunch.io"
    p = parse_profile(data)
    unsigned = parse_profile(real("cloudflare-default-https.mobileconfig"))
    assert (p.signed, p.signer) == (True, "encrypted-dns.brunch.io")
    assert (p.identifier, p.name, p.payload_types) == (unsigned.identifier, unsigned.name, unsigned.payload_types)


def signed_profile_certs() -> list[bytes]:
    """The DER certificates inside the real signed profile, as cryptography (OpenSSL) reads them."""
    certs = pkcs7.load_der_pkcs7_certificates(real("cloudflare-default-https.signed.mobileconfig"))
    return [c.public_bytes(serialization.Encoding.DER) for c in certs]


def python_subject_cn(der: bytes, tmp_path: Path) -> str:
    pem = tmp_path / "c.pem"
    pem.write_text(ssl.DER_cert_to_PEM_cert(der))
    decoded = ssl._ssl._test_decode_cert(str(pem))  # type: ignore[attr-defined]
    return dict(x[0] for x in decoded["subject"])["commonName"]


def test_certificate_names_match_pythons_decoder(tmp_path: Path) -> None:
    certs = signed_profile_certs()
    assert len(certs) == 2
    assert [cert_common_name(c) for c in certs] == [python_subject_cn(c, tmp_path) for c in certs]
    assert [cert_common_name(c) for c in certs] == ["encrypted-dns.brunch.io", "E8"]


def test_blank_line_before_xml_header_and_removal_disallowed() -> None:
    data = real("system-extension-policy.santa.example.mobileconfig")
    assert data.startswith(b"\n<?xml")
    with pytest.raises(Exception):  # noqa: B017 - plistlib itself rejects it, which is why we strip
        plistlib.loads(data)
    p = parse_profile(data)
    assert p.identifier == "com.google.santa.system-extension-policy.40C19D5B-76D7-4C1C-BC9D-2F7EB29CFF4D"
    assert (p.name, p.payload_types, p.removal_disallowed) == (
        "System Extensions", ("com.apple.system-extension-policy",), True)


def test_pppc_profile_grants_full_disk_access() -> None:
    p = parse_profile(real("tcc.configuration-profile-policy.santa.example.mobileconfig"))
    assert p.payload_types == ("com.apple.TCC.configuration-profile-policy",)
    assert sorted((g.service, g.app, g.allowed, g.status) for g in p.grants) == [
        ("full_disk_access", "com.google.santa", True, "allow"),
        ("full_disk_access", "com.google.santa.bundleservice", True, "allow"),
        ("full_disk_access", "com.google.santa.daemon", True, "allow"),
    ]


def profile(payloads: list[dict[str, object]], **top: object) -> dict[str, object]:
    return {"PayloadIdentifier": "com.example.profile", "PayloadDisplayName": "Example", "PayloadType": "Configuration",
            "PayloadOrganization": "Example Org", "PayloadContent": payloads, **top}


def test_root_certificate_payload_der_and_pem(tmp_path: Path) -> None:
    e8 = signed_profile_certs()[1]
    pem = ssl.DER_cert_to_PEM_cert(e8).encode()
    data = plistlib.dumps(profile([
        {"PayloadType": "com.apple.security.root", "PayloadIdentifier": "a", "PayloadContent": e8},
        {"PayloadType": "com.apple.security.pem", "PayloadIdentifier": "b", "PayloadContent": pem},
        {"PayloadType": "com.apple.security.root", "PayloadIdentifier": "c", "PayloadContent": b"\x30\x03junk"},
    ]))
    p = parse_profile(data)
    want = (python_subject_cn(e8, tmp_path), hashlib.sha1(e8).hexdigest(), hashlib.sha256(e8).hexdigest())
    assert [(c.subject, c.sha1, c.sha256) for c in p.root_certs] == [want, want]
    assert len(p.problems) == 1 and p.problems[0].startswith("certificate payload c")


def test_pppc_authorization_key() -> None:
    data = plistlib.dumps(profile([{"PayloadType": "com.apple.TCC.configuration-profile-policy", "Services": {
        "ScreenCapture": [{"Identifier": "com.example.rec", "Authorization": "AllowStandardUserToSetSystemService"}],
        "ListenEvent": [{"Identifier": "com.example.keys", "Authorization": "Allow"}],
        "Camera": [{"Identifier": "com.example.cam", "Authorization": "Deny"}]}}]))
    got = sorted((g.service, g.app, g.allowed) for g in parse_profile(data).grants)
    assert got == [("camera", "com.example.cam", False), ("input_monitoring", "com.example.keys", True),
                   ("screen_recording", "com.example.rec", False)]


@pytest.mark.parametrize("cut", [10, 200, 1000, 4000])
def test_truncated_signed_profile_raises(cut: int) -> None:
    with pytest.raises((DerError, PlistError)):
        parse_profile(real("cloudflare-default-https.signed.mobileconfig")[:cut])


def test_der_indefinite_length_and_chunked_octets() -> None:
    inner = plistlib.dumps(profile([]))
    half = len(inner) // 2
    octets = b"\x24\x80" + b"\x04" + bytes([0x81, half]) + inner[:half] + b"\x04\x81" + bytes(
        [len(inner) - half]) + inner[half:] + b"\x00\x00"
    encap = b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01\xa0\x80" + octets + b"\x00\x00\x00\x00"
    signed = (b"\x30\x80\x02\x01\x01\x31\x00" + encap + b"\x31\x00\x00\x00")
    ber = b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80" + signed + b"\x00\x00\x00\x00"
    p = parse_profile(ber)
    assert (p.identifier, p.signed, p.signer) == ("com.example.profile", True, "")


# --- profiles signed here ----------------------------------------------------------------------------

Key = ec.EllipticCurvePrivateKey


def name(common_name: str, bmp: bool = False) -> x509.Name:
    kind = _ASN1Type.BMPString if bmp else _ASN1Type.UTF8String
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Org"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name, _type=kind)])


def certificate(subject: x509.Name, key: Key, issuer: x509.Name, issuer_key: Key, serial: int,
                key_id: bool = True) -> x509.Certificate:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(serial).not_valid_before(now).not_valid_after(now + dt.timedelta(days=365)))
    if key_id:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def signed(content: bytes, signer_name: x509.Name, *, serial: int = 2, ca_serial: int = 1, by_key_id: bool = False,
           key_id_extension: bool = True, ship_signer: bool = True) -> bytes:
    """A profile signed by a certificate a test CA issued; the CA (an intermediate) is listed first."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = name("Test Root CA")
    ca = certificate(ca_name, ca_key, name("Test Top Root"), ca_key, ca_serial)
    cert = certificate(signer_name, key, ca_name, ca_key, serial, key_id=key_id_extension)
    der = (pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(cert, key, hashes.SHA256())
           .add_certificate(ca).sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary]))
    info = cms.ContentInfo.load(der)
    sd = info["content"]
    if not ship_signer:
        sd["certificates"] = cms.CertificateSet([c for c in sd["certificates"]
                                                 if c.chosen.subject.native["common_name"] == "Test Root CA"])
    if by_key_id:  # RFC 5652 5.3: the signer named by subject key identifier instead of issuer and serial
        spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
        key_id = keys.PublicKeyInfo.load(spki).sha1
        sd["signer_infos"][0]["sid"] = cms.SignerIdentifier({"subject_key_identifier": key_id})
        sd["signer_infos"][0]["version"] = "v3"
    out = bytes(info.dump(force=True))
    # The CA first among the certificates (DER sorts them by their bytes): a reader that takes the
    # first certificate gets it wrong.
    ca_der, cert_der = (c.public_bytes(serialization.Encoding.DER) for c in (ca, cert))
    out = out.replace(cert_der + ca_der, ca_der + cert_der)
    assert (ca_der + cert_der in out) == ship_signer
    return out


INNER = plistlib.dumps({"PayloadIdentifier": "com.example.signed", "PayloadDisplayName": "Signed here",
                        "PayloadType": "Configuration", "PayloadContent": []})


def test_signer_found_by_issuer_and_serial_not_the_ca() -> None:
    got = unwrap_signed(signed(INNER, name("Clinic Profiles")))
    assert (got.content, got.signer) == (INNER, "Clinic Profiles")
    # the same serial number as the CA's: only issuer and serial together name the signer
    assert unwrap_signed(signed(INNER, name("Clinic Profiles"), serial=7, ca_serial=7)).signer == "Clinic Profiles"


@pytest.mark.parametrize("extension", [True, False])
def test_signer_found_by_subject_key_id(extension: bool) -> None:
    data = signed(INNER, name("Key Id Signer"), by_key_id=True, key_id_extension=extension)
    assert cms.ContentInfo.load(data)["content"]["signer_infos"][0]["sid"].name == "subject_key_identifier"
    p = parse_profile(data)
    assert (p.identifier, p.signed, p.signer) == ("com.example.signed", True, "Key Id Signer")


def test_bmpstring_names_decoded() -> None:
    data = signed(INNER, name("Clínica Ñandú — perfiles", bmp=True))
    assert "Clínica Ñandú — perfiles".encode("utf-16-be") in data
    assert parse_profile(data).signer == "Clínica Ñandú — perfiles"
    key = ec.generate_private_key(ec.SECP256R1())
    root = certificate(name("Raíz Ñ", bmp=True), key, name("Raíz Ñ", bmp=True), key, 5)
    der = root.public_bytes(serialization.Encoding.DER)
    assert cert_common_name(der) == "Raíz Ñ"
    root_payload = {"PayloadType": "com.apple.security.root", "PayloadContent": der}
    payload = parse_profile(plistlib.dumps(profile([root_payload])))
    assert [c.subject for c in payload.root_certs] == ["Raíz Ñ"]


@pytest.mark.parametrize("by_key_id", [False, True])
def test_a_signer_missing_from_the_certificates_is_not_named(by_key_id: bool) -> None:
    p = parse_profile(signed(INNER, name("Absent Signer"), by_key_id=by_key_id, ship_signer=False))
    assert (p.signed, p.signer) == (True, "")  # never the CA's name


def test_image_profile_store_and_downloaded_files(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    for name in ["cloudflare-default-https.signed.mobileconfig", "tcc.configuration-profile-policy.santa.example"
                 ".mobileconfig", "system-extension-policy.santa.example.mobileconfig"]:
        put_real(root, PROFILES + name, f"Users/ana/Downloads/{name}")
    write(root, "Users/ana/Desktop/broken.mobileconfig", b"\x30\x82\x10\x00\x06")
    e8 = signed_profile_certs()[1]
    write_plist(root, "private/var/db/ConfigurationProfiles/Store/ConfigProfiles.binary", {
        "_computerlevel": [profile([{"PayloadType": "com.apple.security.root", "PayloadContent": e8}],
                                   PayloadRemovalDisallowed=True)]}, binary=True)
    arts, ctx = collect(MacProfiles, root)
    assert [n.path for n in ctx.notes] == ["/Users/ana/Desktop/broken.mobileconfig"]
    assert "could not decode this profile" in ctx.notes[0].message
    profiles = {a.get("identifier"): a for a in arts if a.kind == "profile"}
    assert len(profiles) == 4
    stored = profiles["com.example.profile"]
    assert stored.fields == {"identifier": "com.example.profile", "name": "Example", "organization": "Example Org",
                             "payload_types": ["com.apple.security.root"], "signed": False,
                             "removal_disallowed": True, "installed": True}
    dns = profiles["com.paulmillr.apple-dns"]
    assert (dns.get("signed"), dns.get("signer"), dns.get("user"), dns.get("installed")) == (
        True, "encrypted-dns.brunch.io", "ana", False)
    cert = only(arts, lambda a: a.kind == "certificate")
    assert (cert.get("subject"), cert.get("sha256"), cert.get("store")) == (
        "E8", hashlib.sha256(e8).hexdigest(), "profile: Example")
    grants = [a for a in arts if a.kind == "permission"]
    assert {(g.get("service"), g.get("source"), g.get("user")) for g in grants} == {
        ("full_disk_access", "profile", "ana")}
    assert len(grants) == 3


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=4000), st.integers(min_value=0, max_value=255))
def test_a_changed_byte_in_a_signed_profile_gives_a_decode_error_or_a_profile(pos: int, byte: int) -> None:
    data = bytearray(real("cloudflare-default-https.signed.mobileconfig"))
    data[pos % len(data)] = byte
    with contextlib.suppress(DerError, PlistError):  # any other exception fails the test
        parse_profile(bytes(data))
