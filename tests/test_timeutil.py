"""The one rule for which times are evidence (timeutil.implausible), and the Time helpers."""

from __future__ import annotations

import datetime as dt

from techcheck.collectors.base import LEFT_OUT_NOTED, Context, filetime_noted, time_noted, unix_noted
from techcheck.i18n import Message
from techcheck.timeutil import FILE_MODIFIED, Time, implausible, parse_iso, time_fact, unix_time, webkit_time

X = FILE_MODIFIED
UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 1, tzinfo=UTC)


def test_implausible_times() -> None:
    assert implausible(dt.datetime(1994, 12, 31, 23, 59, 59, tzinfo=UTC), NOW) == "before 1995"
    assert implausible(dt.datetime(1995, 1, 1, tzinfo=UTC), NOW) is None
    assert implausible(dt.datetime(1601, 1, 1), NOW) == "before 1995"  # naive = UTC
    assert implausible(NOW + dt.timedelta(minutes=9), NOW) is None  # files changing while they are checked
    assert implausible(NOW + dt.timedelta(minutes=11), NOW) == "in the future"


def test_time_fact_and_converters_share_the_rule() -> None:
    assert time_fact(None, "changed", X) is None
    assert time_fact(dt.datetime(1980, 1, 1), "changed", X) is None
    assert time_fact(dt.datetime(2999, 1, 1), "changed", X) is None
    fact = time_fact(dt.datetime(2024, 3, 1, 22, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=1))), "created", X)
    assert fact == Time(dt.datetime(2024, 3, 1, 21, 14, 5, tzinfo=UTC), "created", X)
    assert fact.to_dict() == {"time": "2024-03-01T21:14:05+00:00", "kind": "created",
                              "source": "file modification time", "source_id": "time_source.file_modified"}
    assert Time.from_unix(0, "changed", X) is None
    assert Time.from_unix(631152000, "changed", X) is None  # 1990
    assert Time.from_unix(4102444800, "changed", X) is None  # 2100
    assert unix_time(631152000) is None and unix_time(1700000000) == "2023-11-14T22:13:20+00:00"
    assert webkit_time(0) is None


def test_parse_iso() -> None:
    assert parse_iso("2024-03-01T21:14:05Z") == dt.datetime(2024, 3, 1, 21, 14, 5, tzinfo=UTC)
    assert parse_iso("2024-03-01T21:14:05") == dt.datetime(2024, 3, 1, 21, 14, 5, tzinfo=UTC)
    assert parse_iso("not a time") is None and parse_iso("") is None


def test_left_out_times_are_noted_then_counted() -> None:
    ctx = Context()
    assert filetime_noted(ctx, "k", 0, "changed", Message.of("time_source.key_last_write")) is None
    assert unix_noted(ctx, "f", 1e30, "changed", X) is None
    assert unix_noted(ctx, "f", "soon", "changed", X) is None
    log = Message.of("time_source.connection_log")
    for _ in range(LEFT_OUT_NOTED + 3):
        assert time_noted(ctx, "p", dt.datetime(1601, 1, 1), "last_used", log) is None
    notes = ctx.finish()
    messages = [n.message for n in notes]
    assert messages[0] == ("a time was left out (registry key last write: 0, zero FILETIME); "
                           "it is not shown as a fact")
    assert sum("(connection log:" in m for m in messages) == LEFT_OUT_NOTED
    assert messages[-1] == ("3 more times from connection log were left out (before 1995, in the future or zero); "
                            "they are not shown as facts")
    ok = unix_noted(ctx, "f", 1700000000, "changed", X)
    assert ok is not None and ok.when == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
