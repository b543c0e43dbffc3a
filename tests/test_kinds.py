"""Every per-kind fact lives on the kind's spec in kinds.KINDS, and every kind has all of them."""

from __future__ import annotations

import pytest

from techcheck.artifacts import Location, make
from techcheck.i18n import lookup as label
from techcheck.kinds import KINDS, LOCATION_FIELDS, FieldSpec, InventorySpec, KindSpec, field_label_key
from techcheck.report.format import shown_fields, summary_fields
from techcheck.report.inventory import INVENTORY, artifact_key, build_inventory, evidence_item
from techcheck.report.startup import STARTUP_KINDS
from techcheck.texts import LANGUAGES, field_label, kind_label


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_kind_and_field_has_a_label_under_its_message_key(lang: str) -> None:
    missing = [spec.label_key for spec in KINDS.values() if not label(spec.label_key, lang)]
    names = {n for spec in KINDS.values() for n in spec.fields} | set(LOCATION_FIELDS)
    missing += [field_label_key(n) for n in sorted(names) if not label(field_label_key(n), lang)]
    assert missing == []


def test_every_kind_names_its_identity_and_summary_fields() -> None:
    for spec in KINDS.values():
        assert spec.identity and set(spec.identity) <= set(spec.fields), spec.name
        assert spec.summary and set(spec.summary) <= set(spec.fields), spec.name


def test_a_kind_without_its_facts_cannot_be_written() -> None:
    fields = {"name": FieldSpec("str", "name")}
    with pytest.raises(TypeError):
        KindSpec("gadget", "a new kind", fields)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="identity and summary"):
        KindSpec("gadget", "a new kind", fields, identity=(), summary=("name",))
    with pytest.raises(ValueError, match=r"summary names fields it does not have: \['colour'\]"):
        KindSpec("gadget", "a new kind", fields, identity=("name",), summary=("colour",))
    with pytest.raises(ValueError, match="inventory names fields"):
        KindSpec("gadget", "a new kind", fields, identity=("name",), summary=("name",),
                 inventory=InventorySpec(20, fields=("size",)))


def test_inventory_and_start_up_kinds_come_from_the_specs() -> None:
    positions = [spec.inventory.position for spec in KINDS.values() if spec.inventory]
    assert len(positions) == len(set(positions))
    # the order the JSON report has always had
    assert list(INVENTORY) == ["autostart", "service", "app", "account", "permission", "browser_extension",
                               "setting", "ssh_key", "profile", "certificate"]
    assert INVENTORY["app"].max_items == 20_000 and INVENTORY["service"].max_items == 5_000
    assert set(STARTUP_KINDS) == {"autostart", "service"}


def test_the_report_uses_the_specs_facts() -> None:
    app = make("app", name="Zoom", version="5.1", package="zoom", publisher="Zoom Video", installed="2026-01-01")
    item = evidence_item(app)
    assert summary_fields(item) == ["name", "package", "version", "installed"]
    assert [n for n, _ in shown_fields(item)] == ["name", "package", "version", "installed", "publisher"]
    # version is state, not identity: an upgraded app is the same app
    newer = evidence_item(make("app", name="Zoom", version="6.0", package="zoom"))
    assert artifact_key(item) == artifact_key(newer)
    # the inventory keeps only the app fields its spec lists
    inv = build_inventory([app])
    assert inv["items"][0]["fields"] == {"name": "Zoom", "version": "5.1", "package": "zoom"}
    assert inv["kinds"]["app"] == {"count": 1, "included": 1}


def test_program_files_have_their_own_summary() -> None:
    item = evidence_item(make("program_file", exe="C:/Users/ana/Downloads/x.exe", size=10, file_type="exe",
                              place="downloads"))
    assert summary_fields(item) == ["exe", "file_type", "place", "size"]


def test_a_kind_or_field_from_a_newer_report_shows_its_name() -> None:
    item = {"kind": "gadget", "fields": {"b": 1, "a": 2}, "location": {}}
    assert artifact_key(item) == "gadget\x1f\x1f\x1fa=2\x1fb=1"
    assert kind_label("gadget", "es") == "gadget" and field_label("new_field", "es") == "new field"
    assert kind_label("app", "es") == "Programa instalado" and field_label("process_name", "en") == "process name"


def test_every_time_field_says_what_it_is_on_the_timeline() -> None:
    """A typed "time" field names its kind of time and source (FieldSpec.timeline), or says it is not
    a time of its own there; the timeline's FIELD_TIMES is made from the specs. A new kind's time
    field that says neither is refused when kinds.py is read, so it cannot silently miss the timeline."""
    from techcheck.i18n import Message
    from techcheck.kinds import TimelineTime
    from techcheck.report.timeline import FIELD_TIMES, artifact_times

    with pytest.raises(ValueError, match="timeline"):
        FieldSpec("time", "when the frob watcher was last armed (ISO 8601)")
    with pytest.raises(ValueError, match="timeline"):
        FieldSpec("str", "a name", timeline=TimelineTime("changed", Message.of("time_source.file_modified")))
    times = {(kind, name): fs for kind, spec in KINDS.items() for name, fs in spec.fields.items() if fs.type == "time"}
    assert times and all(fs.timeline is not None for fs in times.values())
    on_timeline = {key for key, fs in times.items() if fs.timeline is not False}
    assert set(FIELD_TIMES) == on_timeline
    assert {key for key, fs in times.items() if fs.timeline is False} == {("permission", "last_used_until")}
    assert FIELD_TIMES[("app", "installed")] == ("installed", Message.of("time_source.install_date"))
    # A field's time reaches the timeline with the spec's kind and source.
    app = make("app", Location(), name="AnyDesk", installed="2026-03-03")
    found, problems = artifact_times(app, None)
    assert problems == [] and [(t.kind, str(t.source), t.precision) for t in found] == [
        ("installed", "install date", "day")]


def test_timeline_names_and_start_up_fields_come_from_the_specs() -> None:
    """Which fields name a thing on the timeline, whether its sentences have their own words
    (timeline_what_<kind>) and what a "What starts by itself" entry shows are facts of the kind's
    spec: each kind with timeline_words has its message in every language, and every such message
    belongs to a kind that says so (no kind falls back to "timeline_what_other" without saying it)."""
    from techcheck.i18n import catalog
    from techcheck.report.startup import startup_entry
    from techcheck.report.timewords import artifact_name, event_text

    worded = {k for k, spec in KINDS.items() if spec.timeline_words}
    for lang in LANGUAGES:
        messages = {m[len("timeline_what_"):] for m in catalog(lang) if m.startswith("timeline_what_")}
        assert messages - {"other"} == worded, lang
    with pytest.raises(ValueError, match="names fields it does not have"):
        KindSpec("frob_watcher", "a made-up kind", {"name": FieldSpec("str", "its name")}, identity=("name",),
                 summary=("name",), names=("label",))
    with pytest.raises(ValueError, match="startup_fields"):
        KindSpec("frob_watcher", "a made-up kind", {"name": FieldSpec("str", "its name")}, identity=("name",),
                 summary=("name",), starts_by_itself=True)
    assert all(spec.startup_fields for spec in KINDS.values() if spec.starts_by_itself)
    where = "C:\\ProgramData\\AnyDesk\\connection_trace.txt"
    log = make("file", Location(path=where), path=where, name="connection_trace.txt")
    assert artifact_name(log) == "AnyDesk\\connection_trace.txt"  # a file: its path first
    perm = make("permission", Location(), service="camera", app="com.example.cam", user="ana")
    assert artifact_name(perm) == "com.example.cam"
    assert event_text(make("hosts_entry", Location(), hostname="bank.example", address="10.0.0.5"),
                      "changed", "en") == "“Hosts file line” was last changed"  # timeline_what_other
    entry = startup_entry(make("service", Location(registry_key="HKLM\\...\\Services\\Spy"), name="Spy",
                               command="C:\\spy.exe", start_type="auto", user=""), "en")
    assert [k for k in entry if k in KINDS["service"].fields] == ["name", "command", "origin"]  # not start_type
