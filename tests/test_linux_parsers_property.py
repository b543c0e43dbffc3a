"""The Linux parsers take any text (or bytes) without crashing: bad input is normal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.collectors.common.hosts import parse_hosts
from techcheck.collectors.linux.command_logging import pam_tty_audit, sudo_io_logging
from techcheck.collectors.linux.commandline import command_exe
from techcheck.collectors.linux.cron import parse_anacrontab, parse_crontab
from techcheck.collectors.linux.packages import installed_packages, parse_rpm_header
from techcheck.collectors.linux.shell import environment_preload, unusual_lines
from techcheck.collectors.linux.ssh import parse_authorized_keys, parse_sshd_config
from techcheck.collectors.linux.systemd import expand_specifiers, parse_unit
from techcheck.collectors.linux.xdg import parse_desktop

# Text built from the characters these formats care about, plus anything else.
SHELLISH = st.text(alphabet=st.sampled_from(list("ab/.~$=%@#[]()&|;'\"\\ \t\n*-:0123456789")) | st.characters(),
                   max_size=300)


@settings(max_examples=150, deadline=None)
@given(SHELLISH)
def test_text_parsers_never_crash(text: str) -> None:
    parse_unit(text)
    expand_specifiers(text, "a@b.service")
    parse_desktop(text)
    parse_crontab(text, has_user_column=True)
    parse_crontab(text, has_user_column=False)
    parse_anacrontab(text)
    unusual_lines(text, "/home/ana")
    environment_preload(text)
    parse_authorized_keys(text)
    parse_sshd_config(text)
    installed_packages(text)
    parse_hosts(text)
    sudo_io_logging(text)
    pam_tty_audit(text)
    assert isinstance(command_exe(text), str)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_rpm_header_parser_only_raises_value_error(blob: bytes) -> None:
    try:
        tags = parse_rpm_header(blob)
    except ValueError:
        return
    assert isinstance(tags, dict)


@pytest.mark.parametrize("unit", ["[Service]\nExecStart=/a\nExecStart=\nExecStart=/b\n"])
def test_empty_execstart_resets(unit: str) -> None:
    assert parse_unit(unit).exec_start == "/b"
