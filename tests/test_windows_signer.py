"""Authenticode signer names, read with LIEF from real PE files signed in the test with osslsigncode
(Debian osslsigncode) and a certificate made here; the PE is pip's own launcher t64.exe (MIT, distlib)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pip
import pytest

from techcheck.collectors.windows.signer import signer_name, subject_name
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import run_scan
from techcheck.target import open_image
from tests.winsupport import hivex_plant, put_hive

LAUNCHER = Path(pip.__file__).parent / "_vendor/distlib/t64.exe"


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is needed (Debian package listed in .ci/apt-packages)")
        pytest.skip(f"{tool} is not installed")


def signed_copy(tmp_path: Path, name: str) -> Path:
    need("osslsigncode")
    need("openssl")
    key, cert, out = tmp_path / "k.pem", tmp_path / "c.pem", tmp_path / "signed.exe"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", f"/O={name}/CN={name}",
                    "-keyout", str(key), "-out", str(cert), "-days", "2"], check=True, capture_output=True)
    subprocess.run(["osslsigncode", "sign", "-certs", str(cert), "-key", str(key), "-n", "test",
                    "-in", str(LAUNCHER), "-out", str(out)], check=True, capture_output=True)
    return out


def test_signer_name_of_a_signed_and_an_unsigned_file(tmp_path: Path) -> None:
    signed = signed_copy(tmp_path, "Example Remote Tools Ltd")
    assert signer_name(signed.read_bytes()) == "Example Remote Tools Ltd"
    assert signer_name(LAUNCHER.read_bytes()) == ""  # pip's launcher itself is not signed
    assert signer_name(signed.read_bytes()[:3000]) == ""  # cut off: no name, no crash
    assert signer_name(b"not a program") == ""
    assert subject_name("C=SE, O=Spotify AB, CN=Spotify AB") == "Spotify AB"
    assert subject_name("C=US, O=Example\\, Inc.") == "Example\\, Inc."


def test_a_run_entry_names_its_programs_signer(tmp_path: Path) -> None:
    root = tmp_path / "img"
    program = root / "Users/ana/AppData/Roaming/Helper/helper.exe"
    program.parent.mkdir(parents=True)
    shutil.copyfile(signed_copy(tmp_path, "Example Remote Tools Ltd"), program)
    hive = put_hive(root / "Users/ana/NTUSER.DAT", "default")
    hivex_plant(hive, r"Software\Microsoft\Windows\CurrentVersion\Run",
                [("Helper", r"string:C:\Users\ana\AppData\Roaming\Helper\helper.exe")])
    (root / "Windows/System32").mkdir(parents=True)
    result = run_scan(open_image(str(root)), load_rules([shipped_rules_dir()]))
    helper = next(a for a in result.artifacts if a.kind == "autostart" and a.fields.get("name") == "Helper")
    assert helper.fields["signer"] == "Example Remote Tools Ltd"
    assert helper.fields["origin"] == "unknown"  # a signer name is not an origin: anyone can make a certificate
