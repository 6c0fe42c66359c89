"""The OCEL 2.0 preset: pm4py's example log in its three formats, and small logs written
here. Expected counts are worked out from the files with json, ElementTree and sqlite3."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import journeymap as jm
from journeymap.cli import cli
from journeymap.connectors.presets.ocel import OcelPreset
from journeymap.errors import as_flags, option
from shared_datasets import dataset

EXAMPLE = "pm4py_examples/ocel/ocel20_example"
FORMATS = ("jsonocel", "xmlocel", "sqlite")
TYPES = ("Invoice", "Payment", "Purchase Order", "Purchase Requisition")


def head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(4096)


# -- independent counts: (event, object) pairs per object type ----------------------------


def pairs_json(path: Path) -> set[tuple[str, str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    kind = {o["id"]: o["type"] for o in data["objects"]}
    return {
        (e["id"], r["objectId"], kind[r["objectId"]])
        for e in data["events"]
        for r in e["relationships"]
    }


def pairs_xml(path: Path) -> set[tuple[str, str, str]]:
    root = ET.parse(path).getroot()
    kind = {o.get("id"): o.get("type") for o in root.iter("object")}
    return {
        (e.get("id"), r.get("object-id"), kind[r.get("object-id")])
        for e in root.iter("event")
        for r in e.iter("relationship")
    }


def pairs_sqlite(path: Path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(path) as db:
        return set(
            db.execute(
                "SELECT eo.ocel_event_id, eo.ocel_object_id, o.ocel_type FROM event_object eo "
                "JOIN object o ON o.ocel_id = eo.ocel_object_id"
            ).fetchall()
        )


PAIRS = {"jsonocel": pairs_json, "xmlocel": pairs_xml, "sqlite": pairs_sqlite}


@pytest.mark.datasets
@pytest.mark.parametrize("suffix", FORMATS)
def test_the_example_is_recognised(suffix):
    path = dataset(f"{EXAMPLE}.{suffix}")
    assert OcelPreset().recognise(path, head(path)).startswith("OCEL 2.0 ")


@pytest.mark.datasets
@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("suffix", FORMATS)
def test_the_example_with_each_object_type(suffix, kind):
    path = dataset(f"{EXAMPLE}.{suffix}")
    pairs = {(e, o) for e, o, t in PAIRS[suffix](path) if t == kind}
    result = OcelPreset().read(path, object_type=kind)
    df = result.table.to_pandas()
    assert result.records == 13
    assert result.rejects == []
    assert result.mapping == {"case": kind, "activity": "activity", "timestamp": "time"}
    assert set(zip(df["event id"], df[kind], strict=True)) == pairs
    assert (len(df), df[kind].nunique()) == (len(pairs), len({o for _, o in pairs}))
    assert f"cases: the {kind!r} objects" in result.notes[1]
    assert "as asked" in result.notes[1]


@pytest.mark.datasets
def test_example_counts_per_type_match_pm4py_and_the_exports_doc():
    """13 events, 9 objects, 20 event-object links (EXPORTS.md §6.6); pm4py's
    ocel_flattening gives the same rows and cases per type."""
    pm4py = pytest.importorskip("pm4py")
    path = dataset(f"{EXAMPLE}.jsonocel")
    ocel = pm4py.read_ocel2_json(str(path))
    counts = {}
    for kind in TYPES:
        df = OcelPreset().read(path, object_type=kind).table.to_pandas()
        flat = pm4py.ocel_flattening(ocel, kind)
        assert (len(df), df[kind].nunique()) == (len(flat), flat["case:concept:name"].nunique())
        counts[kind] = (len(df), df[kind].nunique())
    assert counts == {
        "Invoice": (9, 3),
        "Payment": (3, 3),
        "Purchase Order": (5, 2),
        "Purchase Requisition": (3, 1),
    }
    notes = OcelPreset().read(path).notes
    assert notes[0] == (
        "OCEL 2.0 JSON: 13 events, 9 objects, 20 event-object links; object types (events "
        "related): 'Invoice' 9, 'Payment' 3, 'Purchase Order' 5, 'Purchase Requisition' 3"
    )


@pytest.mark.datasets
def test_the_default_type_is_purchase_order_by_its_name():
    result = OcelPreset().read(dataset(f"{EXAMPLE}.jsonocel"))
    assert result.mapping["case"] == "Purchase Order"
    assert as_flags(result.notes[1]) == (
        "cases: the 'Purchase Order' objects (2), because its name says order; "
        "choose another type with --object-type TYPE"
    )


@pytest.mark.datasets
def test_the_examples_json_is_utc_and_its_xml_and_sqlite_an_hour_ahead_without_zone():
    def invoice_times(suffix: str) -> list[str]:
        result = OcelPreset().read(dataset(f"{EXAMPLE}.{suffix}"), object_type="Invoice")
        return result.table.column("time").to_pylist()

    times = {suffix: invoice_times(suffix) for suffix in FORMATS}
    assert times["jsonocel"][0] == "2022-01-14T11:00:00Z"
    assert times["xmlocel"] == times["sqlite"]
    assert times["xmlocel"][0] == "2022-01-14T12:00:00"
    shifted = [
        (datetime.fromisoformat(t) - timedelta(hours=1)).replace(tzinfo=UTC)
        for t in times["xmlocel"]
    ]
    assert shifted == [datetime.fromisoformat(t) for t in times["jsonocel"]]
    note = OcelPreset().read(dataset(f"{EXAMPLE}.xmlocel")).notes
    assert any(n.startswith("OCEL XML and SQLite files often hold local time") for n in note)
    # How they are read is said once, by the reading ("read as UTC time"), not here too.
    shown = CliRunner().invoke(cli, ["inspect", str(dataset(f"{EXAMPLE}.sqlite")),
                                     "--object-type", "Invoice"]).stdout  # fmt: skip
    assert shown.count("read as UTC time") + shown.count("read in --timezone") == 1
    # Its 13 events, 8 of them of no Purchase Order: counted as left out, not accepted.
    orders = CliRunner().invoke(cli, ["inspect", str(dataset(f"{EXAMPLE}.jsonocel")),
                                      "--object-type", "Purchase Order"]).stdout  # fmt: skip
    assert [line.split() for line in orders.splitlines()[2:7]] == [
        ["records", "read", "13"], ["accepted", "5"], ["rejected", "0"],
        ["left", "out", "8", "(see", "the", "notes)"], ["cases", "2"],
    ]  # fmt: skip
    assert "8 events are related to no 'Purchase Order' object: left out" in orders


# -- small logs written here ---------------------------------------------------------------

# fmt: off
SERVICE = {
    "objectTypes": [
        {"name": "Ticket", "attributes": []},
        {"name": "Customer", "attributes": [{"name": "segment", "type": "string"}]},
        {"name": "Agent", "attributes": []},
    ],
    "eventTypes": [
        {"name": "Contact", "attributes": [{"name": "channel", "type": "string"}]},
        {"name": "Resolve", "attributes": [{"name": "team", "type": "string"}]},
        {"name": "Chase", "attributes": []},
        {"name": "Survey", "attributes": [{"name": "score", "type": "integer"}]},
    ],
    "objects": [
        {"id": "T1", "type": "Ticket"},
        {"id": "T2", "type": "Ticket"},
        {"id": "C1", "type": "Customer",
         "attributes": [{"name": "segment", "time": "1970-01-01T00:00:00Z", "value": "gold"}]},
        {"id": "C2", "type": "Customer"},
        {"id": "A1", "type": "Agent"},
        {"id": "A2", "type": "Agent"},
    ],
    "events": [
        {"id": "e1", "type": "Contact", "time": "2024-03-01T09:00:00+01:00",
         "attributes": [{"name": "channel", "value": "phone"}],
         "relationships": [{"objectId": "T1", "qualifier": "about"},
                           {"objectId": "C1", "qualifier": "from"},
                           {"objectId": "A1", "qualifier": "answered by"}]},
        {"id": "e2", "type": "Contact", "time": "2024-03-01T10:00:00Z",
         "attributes": [{"name": "channel", "value": "web"}],
         "relationships": [{"objectId": "T2", "qualifier": "about"},
                           {"objectId": "C1", "qualifier": "from"}]},
        {"id": "e3", "type": "Chase", "time": "2024-03-02T08:00:00Z",
         "relationships": [{"objectId": "C1", "qualifier": "by"},
                           {"objectId": "T1", "qualifier": "about"},
                           {"objectId": "T2", "qualifier": "about"}]},
        {"id": "e4", "type": "Resolve", "time": "2024-03-03T12:30:00.5+00:00",
         "attributes": [{"name": "team", "value": "Back Office"}],
         "relationships": [{"objectId": "T1", "qualifier": "closes"},
                           {"objectId": "A2", "qualifier": "by"}]},
        {"id": "e5", "type": "Resolve", "time": "yesterday",
         "relationships": [{"objectId": "T2", "qualifier": "closes"}]},
        {"id": "e6", "type": "Survey", "time": "2024-03-04T00:00:00Z",
         "attributes": [{"name": "score", "value": 4}],
         "relationships": [{"objectId": "C2", "qualifier": "of"},
                           {"objectId": "X9", "qualifier": "lost"}]},
    ],
}
# fmt: on


@pytest.fixture
def service_json(tmp_path: Path) -> Path:
    path = tmp_path / "service.jsonocel"
    path.write_text(json.dumps(SERVICE, indent=1), encoding="utf-8")
    return path


def rows(result) -> list[tuple[str | None, ...]]:
    df = result.table.to_pandas().astype(object).where(lambda d: d.notna(), None)
    return [tuple(r) for r in df.itertuples(index=False)]


def test_a_small_log_defaults_to_the_customer_type(service_json):
    result = OcelPreset().read(service_json)
    assert result.table.column_names == [
        "Customer", "activity", "time", "event id", "Ticket", "Agent", "channel", "team", "score"
    ]  # fmt: skip
    assert rows(result) == [
        ("C1", "Contact", "2024-03-01T08:00:00Z", "e1", "T1", "A1", "phone", None, None),
        ("C1", "Contact", "2024-03-01T10:00:00Z", "e2", "T2", None, "web", None, None),
        ("C1", "Chase", "2024-03-02T08:00:00Z", "e3", "T1,T2", None, None, None, None),
        ("C2", "Survey", "2024-03-04T00:00:00Z", "e6", None, None, None, None, "4"),
    ]
    assert result.mapping == {
        "case": "Customer",
        "activity": "activity",
        "timestamp": "time",
        "resource": "Agent",
        "team": "team",
        "channel": "channel",
    }
    assert result.records == 6
    assert [(r.record, r.line, r.reason) for r in result.rejects] == [
        (5, None, "unreadable time 'yesterday'")
    ]
    assert result.reason == "OCEL 2.0 JSON: top-level keys objectTypes and eventTypes"
    assert result.notes == [
        "OCEL 2.0 JSON: 6 events, 6 objects, 13 event-object links; object types (events "
        "related): 'Ticket' 5, 'Customer' 4, 'Agent' 2",
        "cases: the 'Customer' objects (2), because its name says customer; choose another "
        f"type with {option('object_type', 'TYPE')}",
        "1 event is related to no 'Customer' object: left out",
        "1 event-object links name objects the log does not list",
        "related objects of the other types: columns 'Ticket', 'Agent' (ids joined by ',')",
        "resource: the related 'Agent' objects",
        "team: the event attribute 'team'",
        "channel: the event attribute 'channel'",
        "customer: the cases are the 'Customer' objects themselves",
        # C1's second contact (e2) is about ticket T2, its first (e1) about T1.
        "1 event is an activity done again in its 'Customer' object for other related "
        "objects (most often 'Contact'): each counts as rework, though it may be the same "
        "step done for another object",
        "event times are in UTC (converted from their offsets)",
        "not used: 1 object attribute values and 0 object-to-object links",
    ]


def test_one_row_per_event_and_object_of_the_chosen_type(service_json):
    result = OcelPreset().read(service_json, object_type="ticket")  # any upper/lower case
    assert [(r[0], r[1], r[3]) for r in rows(result)] == [
        ("T1", "Contact", "e1"),
        ("T2", "Contact", "e2"),
        ("T1", "Chase", "e3"),
        ("T2", "Chase", "e3"),
        ("T1", "Resolve", "e4"),
    ]
    assert rows(result)[4][2] == "2024-03-03T12:30:00.500000Z"
    assert result.mapping["customer"] == "Customer"
    assert "1 event is related to several 'Ticket' objects: one row each" in result.notes


def test_the_rows_read_as_an_event_log(service_json):
    result = OcelPreset().read(service_json, object_type="Ticket")
    log = jm.EventLog.from_frame(result.table.to_pandas(), **result.mapping)
    assert (log.events, log.cases, log.rejected_rows) == (5, 2, 0)
    df = log.to_pandas()
    assert df["timestamp"].iloc[0] == pd.Timestamp("2024-03-01 08:00:00", tz="UTC")
    assert list(df["customer"].fillna("-")) == ["C1", "C1", "-", "C1", "C1"]  # T1: e1 e3 e4


def test_an_event_of_two_customers_gives_its_case_no_customer(tmp_path):
    """e3 chases both tickets for C1 and C2: the customer role names one object, so the
    event has none (their ids joined, "C1,C2", read as a third customer), and said."""
    both = json.loads(json.dumps(SERVICE))
    both["events"][2]["relationships"].append({"objectId": "C2", "qualifier": "cc"})
    path = tmp_path / "two.jsonocel"
    path.write_text(json.dumps(both), encoding="utf-8")
    result = OcelPreset().read(path, object_type="Ticket")
    assert [(r[0], r[1], r[4]) for r in rows(result)] == [
        ("T1", "Contact", "C1"),
        ("T2", "Contact", "C1"),
        ("T1", "Chase", None),
        ("T2", "Chase", None),
        ("T1", "Resolve", None),
    ]
    assert result.mapping["customer"] == "Customer"
    assert (
        "customer: 1 event is related to several 'Customer' objects: left without one"
        in result.notes
    )


def test_without_a_customer_ticket_or_order_the_type_with_most_events_wins(tmp_path):
    log = {
        "objectTypes": [{"name": "Parcel"}, {"name": "Truck"}],
        "eventTypes": [{"name": "Load"}, {"name": "Drive"}],
        "objects": [{"id": "P1", "type": "Parcel"}, {"id": "K1", "type": "Truck"}],
        "events": [
            {"id": "a", "type": "Load", "time": "2024-01-01T00:00:00Z",
             "relationships": [{"objectId": "P1"}, {"objectId": "K1"}]},
            {"id": "b", "type": "Drive", "time": "2024-01-02T00:00:00Z",
             "relationships": [{"objectId": "K1"}]},
        ],
    }  # fmt: skip
    path = tmp_path / "l.json"
    path.write_text(json.dumps(log), encoding="utf-8")
    result = OcelPreset().read(path)
    assert result.mapping["case"] == "Truck"
    assert "because it has the most events (2)" in result.notes[1]


SERVICE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<log>
  <object-types>
    <object-type name="Case"><attributes/></object-type>
    <object-type name="Support Team"><attributes/></object-type>
  </object-types>
  <event-types>
    <event-type name="Open"><attributes>
      <attribute name="org:resource" type="string"/></attributes></event-type>
    <event-type name="Close"><attributes/></event-type>
  </event-types>
  <objects>
    <object id="K1" type="Case"><attributes/><objects>
      <relationship object-id="S1" qualifier="owned by"/></objects></object>
    <object id="S1" type="Support Team"><attributes/></object>
  </objects>
  <events>
    <event id="x1" type="Open" time="2024-05-01T09:00:00">
      <attributes><attribute name="org:resource">ann</attribute></attributes>
      <objects><relationship object-id="K1" qualifier="opens"/>
        <relationship object-id="S1" qualifier="queue"/></objects>
    </event>
    <event id="x2" type="Close" time="2024-05-02T17:45:00">
      <objects><relationship object-id="K1" qualifier="closes"/></objects>
    </event>
  </events>
</log>
"""


def test_an_xml_log_keeps_times_without_zone(write_file):
    path = write_file("service.xmlocel", SERVICE_XML)
    reason = OcelPreset().recognise(path, head(path))
    assert reason == "OCEL 2.0 XML: root <log> with <object-types>"
    result = OcelPreset().read(path)
    assert rows(result) == [
        ("K1", "Open", "2024-05-01T09:00:00", "x1", "S1", "ann"),
        ("K1", "Close", "2024-05-02T17:45:00", "x2", None, None),
    ]
    assert result.mapping == {
        "case": "Case",
        "activity": "activity",
        "timestamp": "time",
        "resource": "org:resource",
        "team": "Support Team",
    }
    assert "cases: the 'Case' objects (1), because its name says case" in result.notes[1]
    assert result.options == {}  # no zone is set: --timezone decides
    assert result.notes[-2].startswith("OCEL XML and SQLite files often hold local time")
    assert result.notes[-1] == "not used: 0 object attribute values and 1 object-to-object links"


def test_an_sqlite_log_in_pm4py_layout(tmp_path):
    path = tmp_path / "log.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE event (ocel_id TEXT, ocel_type TEXT);
            CREATE TABLE object (ocel_id TEXT, ocel_type TEXT);
            CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT,
                                       ocel_qualifier TEXT);
            CREATE TABLE event_map_type (ocel_type TEXT, ocel_type_map TEXT);
            CREATE TABLE object_map_type (ocel_type TEXT, ocel_type_map TEXT);
            CREATE TABLE "event_CallBack" (ocel_id TEXT, ocel_time TIMESTAMP, agent TEXT);
            CREATE TABLE "event_Order" (ocel_id TEXT, ocel_time TIMESTAMP, amount REAL);
            INSERT INTO event_map_type VALUES ('Call Back', 'CallBack'), ('Order', 'Order');
            INSERT INTO object_map_type VALUES ('Order', 'Order'), ('Channel', 'Channel');
            INSERT INTO object VALUES ('O1', 'Order'), ('O2', 'Order'), ('web', 'Channel');
            INSERT INTO event VALUES ('e1', 'Order'), ('e2', 'Call Back'), ('e3', 'Order');
            INSERT INTO "event_Order" VALUES ('e1', '2024-06-01 10:00:00', 99.5),
                                             ('e3', NULL, 5);
            INSERT INTO "event_CallBack" VALUES ('e2', '2024-06-02 11:00:00', 'bob');
            INSERT INTO event_object VALUES ('e1', 'O1', 'places'), ('e1', 'web', 'via'),
                ('e2', 'O1', 'about'), ('e2', 'O1', 'chases'), ('e2', 'O2', 'about'),
                ('e3', 'O2', 'places');
            """
        )
    assert OcelPreset().recognise(path, head(path)) == (
        "OCEL 2.0 SQLite: tables event, object and event_object"
    )
    result = OcelPreset().read(path)
    assert rows(result) == [
        ("O1", "Order", "2024-06-01T10:00:00", "e1", "web", None, "99.5"),
        ("O1", "Call Back", "2024-06-02T11:00:00", "e2", None, "bob", None),
        ("O2", "Call Back", "2024-06-02T11:00:00", "e2", None, "bob", None),
    ]
    assert result.mapping == {
        "case": "Order",
        "activity": "activity",
        "timestamp": "time",
        "resource": "agent",
        "channel": "Channel",
    }
    assert [(r.record, r.reason) for r in result.rejects] == [(3, "the event has no time")]


def test_names_that_clash_are_made_unique(tmp_path):
    log = {
        "objectTypes": [{"name": "Ticket"}],
        "eventTypes": [{"name": "Note", "attributes": [{"name": "activity"}]}],
        "objects": [{"id": "T1", "type": "Ticket"}],
        "events": [{"id": "n1", "type": "Note", "time": "2024-01-01T00:00:00Z",
                    "attributes": [{"name": "activity", "value": "typed"}],
                    "relationships": [{"objectId": "T1"}]}],
    }  # fmt: skip
    path = tmp_path / "clash.json"
    path.write_text(json.dumps(log), encoding="utf-8")
    result = OcelPreset().read(path)
    assert result.table.column_names == ["Ticket", "activity", "time", "event id", "activity_1"]
    assert rows(result) == [("T1", "Note", "2024-01-01T00:00:00Z", "n1", "typed")]
    assert any("'activity_1'" in n for n in result.notes)


# -- what is not recognised, and bad input --------------------------------------------------

OCEL1 = {
    "ocel:global-log": {"ocel:version": "1.0", "ocel:object-types": ["order"]},
    "ocel:events": {},
    "ocel:objects": {},
}


@pytest.mark.parametrize(
    "content",
    [
        json.dumps(OCEL1),
        '{"events": [], "objects": []}',
        "case,activity,time\n1,a,2024-01-01\n",
        '<?xml version="1.0"?><log><global scope="log"/></log>',
        '<?xml version="1.0"?><log xes.version="1.0"><trace/></log>',
    ],
)
def test_other_files_are_not_recognised(write_file, content):
    path = write_file("other.txt", content)
    assert OcelPreset().recognise(path, head(path)) is None


@pytest.mark.datasets
@pytest.mark.parametrize("name", ["example_log.jsonocel", "example_log.xmlocel"])
def test_pm4pys_ocel1_examples_are_refused_in_one_line(name):
    path = dataset(f"pm4py_examples/ocel/{name}")
    assert OcelPreset().recognise(path, head(path)) is None
    refused = r"^example_log\.\w+: an OCEL 1\.0 (JSON|XML) log; "
    with pytest.raises(jm.SourceError, match=refused) as caught:
        OcelPreset().read(path)
    assert "\n" not in str(caught.value)


BAD = [
    ("bad.jsonocel", '{"objectTypes": [',
     r"^bad\.jsonocel: not valid JSON: Expecting value at line 1, column 18$"),
    ("v1.jsonocel", json.dumps(OCEL1),
     r"^v1\.jsonocel: an OCEL 1\.0 JSON log; journeymap reads OCEL 2\.0: convert it with pm4py"),
    ("part.json", '{"objectTypes": [], "eventTypes": []}',
     r"not an OCEL 2\.0 log: no list 'objects', 'events' at the top level"),
    ("bad.xmlocel", "<log><object-types></log>",
     r"^bad\.xmlocel: not well-formed XML at line 1"),
    ("evil.xmlocel", '<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]><log>&x;</log>',
     r"declares XML entities"),
    ("plain.txt", "hello", r"not an OCEL 2\.0 log: neither JSON, XML nor an SQLite database"),
    ("ext.xmlocel", '<!DOCTYPE log SYSTEM "ocel.dtd">\n<log><object-types/><events>\n'
     '<event id="e1" type="&open;" time="2024-01-01T09:00:00Z"/></events></log>',
     r"^ext\.xmlocel: line 3 uses the entity &open; which the file does not declare \(an "
     r"external DTD's, which journeymap never reads, for safety\); export the log with its "
     r"values written out$"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "message"), BAD)
def test_bad_input_is_one_line(write_file, name, content, message):
    with pytest.raises(jm.SourceError, match=message) as caught:
        OcelPreset().read(write_file(name, content))
    assert "\n" not in str(caught.value)


def test_an_unknown_object_type_lists_the_types(service_json):
    with pytest.raises(jm.MappingError) as caught:
        OcelPreset().read(service_json, object_type="Invoice")
    assert str(caught.value) == (
        "service.jsonocel: has no object type 'Invoice'; the object types are: "
        "'Ticket' (5 events), 'Customer' (4 events), 'Agent' (2 events)"
    )


def test_a_type_without_events_is_an_empty_log(tmp_path):
    log = {**SERVICE, "objectTypes": [*SERVICE["objectTypes"], {"name": "Survey Form"}]}
    path = tmp_path / "l.jsonocel"
    path.write_text(json.dumps(log), encoding="utf-8")
    with pytest.raises(jm.EmptyLogError, match=r"no event is related to a 'Survey Form' object"):
        OcelPreset().read(path, object_type="Survey Form")


def test_a_missing_file_is_not_found(tmp_path):
    with pytest.raises(jm.SourceNotFoundError, match=r"no such file"):
        OcelPreset().read(tmp_path / "none.jsonocel")


@pytest.mark.parametrize(
    ("doctype", "refused"),
    [
        ('<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>', True),
        ('<!DOCTYPE log SYSTEM "http://127.0.0.1:9/ocel.dtd">', False),
    ],
)
def test_an_xml_log_with_a_doctype_is_recognised(tmp_path, doctype, refused):
    """A DOCTYPE before the root does not hide an OCEL 2.0 XML log (it had read "no
    reader recognises"): one that declares entities is refused, saying so; one that names
    an external DTD (never fetched) reads."""
    declaration, rest = SERVICE_XML.split("\n", 1)
    path = tmp_path / "service.xmlocel"
    path.write_text(f"{declaration}\n{doctype}\n{rest}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["inspect", str(path)])
    if refused:
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: service.xmlocel: declares XML entities, which an OCEL log never needs "
            "and which could disclose local files; remove the <!DOCTYPE ...> declaration\n"
        )
    else:
        assert result.exit_code == 0, result.output
        assert "Read as ocel (OCEL 2.0 XML: root <log> with <object-types>)" in result.stdout


def test_what_an_unread_xml_file_looks_like_skips_its_doctype(tmp_path):
    from journeymap.errors import ConnectorNotFoundError

    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY a "b">]>\n<feed/>\n')
    with pytest.raises(ConnectorNotFoundError, match=r"looks like XML with root <feed>"):
        jm.read_log(str(path))


@pytest.mark.datasets
def test_an_object_type_of_few_events_each_is_doubted_with_the_option_to_change_it():
    """The example's 'Purchase Order' objects: one of the two takes part in one event.
    The doubt on single-event cases names --object-type, not a system's history export,
    and two cases are too few to call the system predictable."""
    from journeymap.render.capability_words import capability_statement
    from journeymap.render.doubts import doubts

    with jm.read_log(str(dataset(f"{EXAMPLE}.jsonocel"))) as log:
        found = jm.mine(log)
    (single,) = [as_flags(d) for d in doubts(found) if "a single event" in d]
    assert single.endswith(
        "If the objects chosen as the cases take part in few events each, choose another "
        "type with --object-type TYPE (inspect lists them)."
    )
    assert found.check.charts["capability_e2e"].points.shape[0] == 2
    assert capability_statement(found.check.charts["capability_e2e"]).startswith(
        "With 2 cases only, the chart cannot tell whether the system is predictable"
    )
