"""The XES connector: tiny hand-made logs, hostile and damaged files, the public logs."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import pytest

import journeymap as jm
from journeymap.connectors import xes
from journeymap.connectors.xes import XesConnector
from journeymap.connectors.xmlprolog import find_entity_declaration
from journeymap.read_options import ReadOptions
from shared_datasets import dataset

NS = ' xmlns="http://www.xes-standard.org/"'
TINY = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0"{ns}>
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="source" value="log-level attribute"/>
  <trace>
    <string key="concept:name" value="T01"/>
    <string key="channel" value="phone"/>
    <event>
      <string key="concept:name" value="Open"/>
      <date key="time:timestamp" value="2024-01-05T10:15:00+01:00"/>
      <string key="org:resource" value="007"/>
      <int key="priority" value="2"/>
    </event>
    <event>
      <string key="concept:name" value="Close"/>
      <date key="time:timestamp" value="2024-01-05T11:00:00.500+01:00"/>
      <float key="cost" value="1.50"/>
      <boolean key="urgent" value="true"/>
      <list key="tags"><values><string key="tag" value="x"/></values></list>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="001"/>
    <event>
      <string key="concept:name" value="Open"/>
      <date key="time:timestamp" value="2024-01-06T09:00:00Z"/>
      <id key="ref" value="0042"/>
    </event>
    <event>
      <string key="concept:name" value="Wait"/>
    </event>
    <string key="channel" value="web"/>
  </trace>
</log>
"""
SECRET = "TOP-SECRET-7f3a9c"
TINY_ONE = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0"><trace><string key="concept:name" value="c1"/>
<event><string key="concept:name" value="{value}"/>
<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event></trace></log>
"""


def write(path: Path, text: str, *, compress: bool = False) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def raw_columns(path: Path) -> list[str]:
    raw = XesConnector().read(str(path), options=ReadOptions())
    for _ in raw.batches or ():  # the columns are known once the batches are read
        pass
    return raw.columns


# -- a tiny log, value by value ----------------------------------------------------
@pytest.mark.parametrize(
    ("name", "ns", "compress"),
    [
        ("tiny.xes", NS, False),
        ("tiny.xes", "", False),  # no XES namespace
        ("tiny.xes.gz", NS, True),
        ("gzipped-but-named.xes", NS, True),  # gzip known by its magic bytes
    ],
)
def test_tiny_log_reads_every_event_with_its_trace(tmp_path, name, ns, compress):
    log = jm.read_log(str(write(tmp_path / name, TINY.format(ns=ns), compress=compress)))
    assert (log.rows_read, log.events, log.rejected_rows, log.cases) == (4, 3, 1, 2)
    assert log.mapping.case == "case:concept:name"
    assert log.mapping.channel == "case:channel"
    df = log.to_pandas()
    assert list(df["source_row"]) == [3, 1, 2]
    assert list(df["case"]) == ["001", "T01", "T01"]  # identifiers stay text
    assert list(df["activity"]) == ["Open", "Open", "Close"]
    assert list(df["timestamp"]) == [
        pd.Timestamp("2024-01-06 09:00:00", tz="UTC"),
        pd.Timestamp("2024-01-05 09:15:00", tz="UTC"),
        pd.Timestamp("2024-01-05 10:00:00.500", tz="UTC"),
    ]
    # A trace attribute written after the trace's events still applies to them.
    assert list(df["channel"]) == ["web", "phone", "phone"]
    assert df["resource"].tolist()[1] == "007"
    assert (df.loc[1, "priority"], df.loc[2, "cost"], df.loc[2, "urgent"]) == ("2", "1.50", "true")
    assert df.loc[0, "ref"] == "0042"
    assert "source" not in df.columns  # log-level attributes are not event columns
    rejects = log.rejects()
    assert list(rejects["source_row"]) == [4]
    assert rejects.loc[0, "reason"] == "no timestamp: column 'time:timestamp' is empty"
    assert any("'tags'" in note and "not read" in note for note in log.notes)
    # An XES log's rows are its events, and said so: "1 of 4 events", not rows.
    assert log.read_counts.rejected_of() == "1 of 4 events"


def test_columns_come_in_order_of_first_appearance_case_id_first(tmp_path):
    assert raw_columns(write(tmp_path / "tiny.xes", TINY.format(ns=NS))) == [
        "case:concept:name", "case:channel", "concept:name", "time:timestamp",
        "org:resource", "priority", "cost", "urgent", "ref",
    ]  # fmt: skip


def test_attributes_that_appear_in_later_batches_get_columns(tmp_path, monkeypatch):
    monkeypatch.setattr(xes, "BATCH_EVENTS", 2)

    def event(i: int) -> str:
        late = f'<string key="late{i}" value="v{i}"/>' if i >= 3 else ""
        return (
            f'<event><string key="concept:name" value="A{i}"/>'
            f'<date key="time:timestamp" value="2024-01-0{i}T00:00:00Z"/>{late}</event>'
        )

    # The first trace has no name: case:concept:name first appears in the 2nd batch.
    text = (
        f"<log><trace>{event(1)}{event(2)}</trace>"
        f'<trace><string key="concept:name" value="C2"/>{event(3)}{event(4)}{event(5)}</trace>'
        "</log>"
    )
    path = write(tmp_path / "batches.xes", text)
    assert raw_columns(path) == [
        "case:concept:name", "concept:name", "time:timestamp", "late3", "late4", "late5",
    ]  # fmt: skip
    log = jm.read_log(str(path))
    assert (log.rows_read, log.events, log.cases) == (5, 3, 1)
    assert list(log.rejects()["source_row"]) == [1, 2]  # no case id in the first trace
    df = log.to_pandas()
    assert list(df["source_row"]) == [3, 4, 5]
    assert df["late4"].isna().tolist() == [True, False, True]
    assert df.loc[1, "late4"] == "v4"


def test_keys_differing_only_in_case_get_separate_columns(tmp_path):
    text = (
        '<log><trace><string key="concept:name" value="c"/><event>'
        '<string key="concept:name" value="a"/><string key="Resource" value="R1"/>'
        '<string key="resource" value="r2"/><date key="time:timestamp" value="2024-01-01"/>'
        "</event></trace></log>"
    )
    log = jm.read_log(str(write(tmp_path / "case.xes", text)))
    df = log.to_pandas()
    assert (df.loc[0, "resource"], df.loc[0, "resource_1"]) == ("R1", "r2")
    assert any("'resource'" in note and "'resource_1'" in note for note in log.notes)


# -- entities: never read ------------------------------------------------------------
def entity_log(tmp_path: Path, where: str) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    body = {
        "text": '<string key="x">&xxe;</string>',
        "attribute": '<string key="x" value="&xxe;"/>',
    }[where]
    return write(
        tmp_path / "hostile.xes",
        f'<?xml version="1.0"?>\n<!DOCTYPE log [\n<!ENTITY xxe SYSTEM "{secret.as_uri()}">\n]>\n'
        '<log><trace><string key="concept:name" value="c1"/><event>'
        '<string key="concept:name" value="a"/>'
        f'<date key="time:timestamp" value="2024-01-01T00:00:00"/>{body}'
        "</event></trace></log>\n",
    )


@pytest.mark.parametrize("where", ["text", "attribute"])
def test_a_log_declaring_entities_is_refused(tmp_path, where):
    with pytest.raises(jm.SourceError, match=r"declares XML entities") as caught:
        jm.read_log(str(entity_log(tmp_path, where)))
    assert "without a DOCTYPE" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_the_parser_would_not_resolve_an_entity_the_prolog_check_missed(tmp_path, monkeypatch):
    # Nor the scan for entities the file does not declare (made when there is a DOCTYPE).
    monkeypatch.setattr(xes, "read_prolog", lambda stream: (False, False))
    log = jm.read_log(str(entity_log(tmp_path, "text")))
    shown = log.to_pandas().to_string() + log.rejects().to_string() + " ".join(log.notes)
    assert log.events == 1
    assert SECRET not in shown
    # XML forbids external entities in attribute values; libxml2 stops there.
    with pytest.raises(jm.SourceError, match="external entity") as caught:
        jm.read_log(str(entity_log(tmp_path, "attribute")))
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("where", ["text", "attribute"])
def test_an_entity_of_an_external_dtd_is_named_not_read_as_empty(tmp_path, where):
    """A DTD outside the file may declare the entity: the parser reads none, and the
    event would have lost its name (rejected as 'no activity')."""
    body = {
        "text": '<string key="note">&sla;</string>',
        "attribute": '<string key="concept:name" value="&open;"/>',
    }[where]
    path = write(
        tmp_path / "ext.xes",
        '<?xml version="1.0"?>\n<!DOCTYPE log SYSTEM "xes.dtd">\n<log><trace>'
        '<string key="concept:name" value="c1"/><event><string key="org:resource" '
        'value="R&amp;D &#233;"/><date key="time:timestamp" value="2024-01-01T00:00:00"/>'
        f"{body}</event></trace></log>\n",
    )
    name = {"text": "sla", "attribute": "open"}[where]
    with pytest.raises(jm.SourceError) as caught:
        jm.read_log(str(path))
    assert str(caught.value) == (
        f"ext.xes: uses the entity &{name}; which the file does not declare (an external "
        "DTD's, which journeymap never reads, for safety); export the log with its values "
        "written out"
    )
    # XML's own entities and character references are read, DOCTYPE or not.
    path.write_text(path.read_text().replace(body, '<string key="concept:name" value="a"/>'))
    assert jm.read_log(str(path)).to_pandas()["resource"].tolist() == ["R&D é"]


@pytest.mark.parametrize(
    ("prolog", "declares"),
    [
        ('<?xml version="1.0"?>', False),
        ("<!-- <!ENTITY x 'in a comment'> -->", False),
        ("<!DOCTYPE log>", False),
        ('<!DOCTYPE log SYSTEM "log.dtd">', False),
        ('<!DOCTYPE log [<!ATTLIST log a CDATA "<!ENTITY">]>', False),
        ('<!DOCTYPE log [<!ENTITY x "internal">]>', True),
        ("<!DOCTYPE log [<?pi it's?><!ENTITY x 'y'>]>", True),
        ('<!DOCTYPE log [<!ENTITY % p SYSTEM "evil.dtd"> %p;]>', True),
        ('<?xml version="1.0"?>' + " " * 100_000 + '<!DOCTYPE log [<!ENTITY x "y">]>', True),
    ],
)
def test_entity_declarations_are_found_in_the_prolog(prolog, declares):
    assert find_entity_declaration(io.BytesIO((prolog + "<log/>").encode())) is declares
    utf16 = (prolog + "<log/>").encode("utf-16")
    assert find_entity_declaration(io.BytesIO(utf16)) is declares


# -- damaged files ---------------------------------------------------------------------
def test_a_truncated_file_names_the_line(tmp_path):
    text = TINY.format(ns=NS)
    path = write(tmp_path / "cut.xes", text[: text.index("<float")])
    with pytest.raises(jm.SourceError, match=r"cut\.xes: .*line 19: .*export it again"):
        jm.read_log(str(path))


def test_an_unclosed_tag_names_the_line(tmp_path):
    text = '<log>\n<trace><event><string key="a" value="1"/>\n</trace></log>\n'
    with pytest.raises(jm.SourceError, match=r"line 3: .*damaged or truncated"):
        jm.read_log(str(write(tmp_path / "unclosed.xes", text)))


def test_a_truncated_gzip_file_is_an_error(tmp_path):
    data = gzip.compress(TINY.format(ns=NS).encode() * 20)
    (tmp_path / "cut.xes.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(jm.SourceError, match=r"cut\.xes\.gz: .*damaged or truncated"):
        jm.read_log(str(tmp_path / "cut.xes.gz"))


def test_other_xml_is_not_an_xes_log(tmp_path):
    path = write(tmp_path / "other.xes", "<catalog><trace/></catalog>")
    with pytest.raises(jm.SourceError, match=r"root element is <catalog>, not <log>"):
        jm.read_log(str(path))


@pytest.mark.parametrize(
    "text", ["", '<log><trace><string key="concept:name" value="c"/></trace></log>']
)
def test_a_log_without_events_is_empty(tmp_path, text):
    with pytest.raises(jm.EmptyLogError):
        jm.read_log(str(write(tmp_path / "empty.xes", text)))
    with pytest.raises(jm.EmptyLogError):
        jm.read_log(str(write(tmp_path / "empty.xes.gz", text, compress=True)))


# -- the largest public log (the others: tests/test_datasets.py) ------------------------
@pytest.fixture(scope="module")
def bpic2012() -> jm.EventLog:
    return jm.read_log(str(dataset("bpic2012/bpic2012.xes.gz")))


@pytest.mark.datasets
def test_bpic2012_counts(bpic2012):
    # 69,561 starts are followed by their activity's completion (counted apart by
    # parsing the file with lxml and pandas): each is merged into it as its start time.
    assert (bpic2012.rows_read, bpic2012.merged_starts) == (262_200, 69_561)
    assert (bpic2012.events, bpic2012.cases) == (192_639, 13_087)
    (resources, missing) = bpic2012.engine.con.execute(
        f"SELECT count(DISTINCT resource), count(*) - count(resource) FROM {bpic2012.table_name}"
    ).fetchone()
    # 18,010 of the file's events (6.9%) have no org:resource; 10,262 of those left
    assert (resources, missing) == (68, 10_262)
    assert "case:AMOUNT_REQ" in bpic2012.attributes


@pytest.mark.datasets
def test_bpic2012_system_account_is_doubted(bpic2012):
    """BPIC 2012's resource '112' is the system: 764 of the 1,011 hand-offs to it come
    less than a second after the event before (not at the same instant), and it takes
    part in a fifth of all hand-offs. pm4py's reviewing log records only the day: many
    hand-offs there take 0 s, and none is doubted."""
    import lxml.html

    from journeymap.render.doubts import doubts
    from journeymap.render.report import render_report

    found = jm.mine(bpic2012)
    said = [d for d in doubts(found) if d.startswith("work reaches")]
    # The reintegration candidates hand 'W_Nabellen offertes' (a call after an offer,
    # repeated in 85% of the cases it occurs in) from one clerk to the next, and the plan
    # groups '112' with people: both sections say so before proposing anything.
    page = lxml.html.fromstring(
        render_report(found, journey_svgs={}, network_svg=None, chart_svgs={}, options={})
    )
    warned = {
        section: [p.text_content() for p in page.xpath(f"//section[@id='{section}']//p")
                  if p.get("class") == "warning"]
        for section in ("reintegration", "plan")
    }  # fmt: skip
    assert warned["reintegration"] == [
        "'W_Nabellen offertes' recurs in most of the cases it occurs in (see Rework): a "
        "hand-off from one resource doing it to another doing it again may be turns at a "
        "recurring step rather than work split between them; check before proposing that "
        "one do both."
    ]
    assert any(w.startswith("'112' is grouped below") for w in warned["plan"])
    with jm.read_log(str(dataset("pm4py_examples/reviewing.xes"))) as reviewing:
        assert not [d for d in doubts(jm.mine(reviewing)) if d.startswith("work reaches")]
    assert said == [
        "work reaches '112' (764 of the 1,011 hand-offs to it) less than a second after the "
        "event before: a system answers that fast, a resource does not. It takes part in "
        "10,753 of the 51,695 hand-offs (21%), which may be the system reacting rather than "
        "work passing between resources; if it is a system account, add "
        "--extra-missing-values '112' to read it as not recorded"
    ]


def test_xml_references_are_decoded_exactly_once(tmp_path):
    value = "A &amp; B &lt; &gt; &quot; &apos; &#38; &#x26; &amp;#38; &amp;amp;"
    text = TINY_ONE.format(value=value)
    log = jm.read_log(str(write(tmp_path / "refs.xes", text)))
    assert log.to_pandas()["activity"].tolist() == ["A & B < > \" ' & & &#38; &amp;"]


def test_traces_that_share_a_name_are_one_case_and_a_warning(tmp_path):
    """Two <trace>s named T1 (two extracts joined): read as one case, as XES's case id
    says, and inspect and the summary warn that they were joined."""
    from click.testing import CliRunner

    from journeymap.cli import cli

    def trace(name: str, *events: tuple[str, str]) -> str:
        inner = "".join(
            f'<event><string key="concept:name" value="{a}"/>'
            f'<date key="time:timestamp" value="2024-01-0{d}T09:00:00Z"/></event>'
            for a, d in events
        )
        return f'<trace><string key="concept:name" value="{name}"/>{inner}</trace>'

    body = trace("T1", ("A", "1"), ("D", "2")) + trace("T2", ("A", "3")) + trace("T1", ("E", "4"))
    path = tmp_path / "joined.xes"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?><log>{body}</log>')
    with jm.read_log(str(path)) as log:
        assert (log.events, log.cases) == (4, 2)
        said = (
            "1 trace(s) have the name of an earlier trace (such as 'T1'); the events of "
            "traces with one name are read as one case: give each trace its own "
            "concept:name, or split the log where it was joined"
        )
        assert log.warnings == [said]
    result = CliRunner().invoke(cli, ["inspect", str(path)])
    assert f"  ! {said}" in result.stdout.splitlines()
