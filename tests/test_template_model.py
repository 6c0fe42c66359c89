"""Journey templates as written: parsing and its mistakes, and the template's language
(regular expression, automaton, optimal alignments, deviations, designed paths)."""

from __future__ import annotations

import functools
import itertools
import random
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.cli import cli
from journeymap.discovery.template_language import (
    OTHER_CODE,
    Automaton,
    activity_codes,
    align,
    designed_paths,
    deviations,
    template_regex,
)
from journeymap.errors import ConfigError
from journeymap.options import load_templates
from journeymap.options_file import load_options
from journeymap.template_model import (
    AnyOrder,
    OneOf,
    OptionalStep,
    RepeatStep,
    Seq,
    parse_templates,
)


def one(steps, **table):
    return parse_templates([{"name": "T", "steps": steps, **table}], source="t.toml")[0]


# -- parsing ------------------------------------------------------------------------------
def test_every_kind_of_step_is_read():
    t = one([" a ", {"optional": "b"}, {"repeat": ["c", "d"]}, {"any_order": ["e", "f"]},
             {"one_of": ["g", ["h", {"optional": {"repeat": "i"}}]]}], demand="Bins")  # fmt: skip
    assert t.steps == Seq((
        "a", OptionalStep("b"), RepeatStep(Seq(("c", "d"))), AnyOrder(("e", "f")),
        OneOf(("g", Seq(("h", OptionalStep(RepeatStep("i")))))),
    ))  # fmt: skip
    assert (t.name, t.demand, t.kind, t.size()) == ("T", "Bins", "steps", 9)
    assert t.activities() == tuple("abcdefghi")
    assert parse_templates([{"name": "T", "steps": t.toml_steps()}])[0].steps == t.steps


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"steps": ["a"]}, "t.toml: template[1]: needs a name"),
        ({"name": "T", "steps": ["a"], "colour": "red"},
         "t.toml: template 'T': unknown key 'colour'; a template takes: name, demand, steps, "
         "bpmn"),
        ({"name": "T", "stpes": ["a"]}, "unknown key 'stpes' (did you mean 'steps'?)"),
        ({"name": "T"}, "give either steps = [...] (the steps in order) or bpmn = \"FILE\" (a "
         "BPMN model), one of them"),
        ({"name": "T", "steps": ["a"], "bpmn": "x.bpmn"}, "not both"),
        ({"name": "T", "steps": []}, "steps must be a list of one or more steps"),
        ({"name": "T", "steps": ["a", 3]}, "template 'T', step 2: 3 is not a step"),
        ({"name": "T", "steps": ["a", {"optional": "b", "repeat": "c"}]},
         "step 2: a step table takes exactly one key of optional, repeat, any_order, one_of, "
         "not optional, repeat"),
        ({"name": "T", "steps": [{"optinal": "b"}]},
         "step 1: unknown kind of step 'optinal' (did you mean 'optional'?)"),
        ({"name": "T", "steps": [{"any_order": ["a", "b", "c", "d", "e", "f"]}]},
         "step 1 > any_order: any_order takes 2 to 5 different activity names"),
        ({"name": "T", "steps": [{"any_order": ["a", "a"]}]}, "2 to 5 different"),
        ({"name": "T", "steps": [{"any_order": ["a", ["b"]]}]}, "2 to 5 different"),
        ({"name": "T", "steps": [{"one_of": ["a"]}]}, "step 1: one_of takes a list of two"),
        ({"name": "T", "steps": ["a", {"one_of": ["b", []]}]},
         "step 2 > one_of 2: an empty list of steps"),
        ({"name": "T", "steps": ["  "]}, "step 1: an empty activity name"),
        ({"name": "T", "demand": 3, "steps": ["a"]}, "demand must be the type of demand as text"),
        ({"name": "T", "bpmn": "missing.bpmn"}, "bpmn file 'missing.bpmn' not found"),
    ],
)  # fmt: skip
def test_mistakes_name_the_file_the_template_and_the_step(table, message):
    with pytest.raises(ConfigError) as caught:
        parse_templates([table], source="t.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("t.toml: template")


def test_names_and_demands_are_unique():
    with pytest.raises(ConfigError, match="template 'A', step|the name is used"):
        parse_templates([{"name": "A", "steps": ["a"]}, {"name": "A", "steps": ["b"]}])
    with pytest.raises(ConfigError, match="template 'A' is already for demand 'x'"):
        parse_templates([{"name": "A", "demand": "x", "steps": ["a"]},
                         {"name": "B", "demand": "x", "steps": ["b"]}])  # fmt: skip
    with pytest.raises(ConfigError, match=r"already for all demand \(no demand\)"):
        parse_templates([{"name": "A", "steps": ["a"]}, {"name": "B", "steps": ["b"]}])


def test_templates_in_the_config_and_in_a_file_of_their_own(write_file):
    config = write_file("c.toml", '[templates]\ndemand_column = "service"\nmethod = "auto"\n'
                        '[[template]]\nname = "A"\ndemand = "x"\nsteps = ["a"]\n')  # fmt: skip
    options = load_options(config)
    assert options.templates.demand_column == "service"
    assert [t.name for t in options.templates.templates] == ["A"]
    assert options.templates.templates[0].source == str(config)
    extra = write_file(
        "t.toml", '[templates]\nalignment_max_cases = 10\n[[template]]\nname = "B"\nsteps = ["b"]\n'
    )
    merged = options.with_templates(extra).templates
    assert [t.name for t in merged.templates] == ["B"]  # the file's replace the config's
    assert (merged.demand_column, merged.alignment_max_cases) == ("service", 10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[map]\nlanes = "none"\n[[template]]\nname = "A"\nsteps = ["a"]\n',
         "a templates file holds [[template]] tables and a [templates] section only, not [map]"),
        ('[templates]\ndemand_column = "x"\n', "no [[template]] tables"),
        ('[template]\nname = "A"\nsteps = ["a"]\n', "write each template as [[template]]"),
        ('[templates]\nmethod = "fast"\n[[template]]\nname = "A"\nsteps = ["a"]\n',
         "templates.method must be one of auto, alignments, sequence match, token replay"),
        ('[templates]\ncolumn = "x"\n[[template]]\nname = "A"\nsteps = ["a"]\n',
         "unknown key templates.column"),
        ('[[template]]\nname = "A"\nsteps = ["a", {any_order = ["b"]}]\n',
         "template 'A', step 2 > any_order"),
    ],
)  # fmt: skip
def test_a_templates_file_with_a_mistake(write_file, text, message):
    path = write_file("t.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_templates(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_the_command_line_says_a_template_mistake_in_one_line(write_file):
    log = write_file("log.csv", "case,activity,timestamp\n1,a,2024-01-01\n")
    bad = write_file("t.toml", '[[template]]\nname = "A"\nsteps = ["a", {one_of = ["b"]}]\n')
    result = CliRunner().invoke(cli, ["mine", str(log), "--templates", str(bad), "-o", "x"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {bad}: template 'A', step 2: one_of takes a list of two or more alternatives, "
        'such as {one_of = ["A", ["B", "C"]]}\n'
    )


# -- the language -----------------------------------------------------------------------------
# (steps, the longest word to compare with: an optimal word for a trace of at most four
# events is no longer, for these templates)
SPECS = [
    (["i", {"optional": "k"}, {"one_of": ["f", ["l", "a", "w", "v"]]}, "c"], 10),
    (["a", {"repeat": ["b", "c"]}, {"any_order": ["d", "e", "f"]}, {"optional": {"repeat": "g"}}],
     10),
    ([{"one_of": [["a", "b"], ["a", "c"]]}, {"repeat": {"one_of": ["d", {"optional": "e"}]}}], 7),
]  # fmt: skip


def _words(automaton: Automaton, longest: int) -> set[tuple[str, ...]]:
    found, front = set(), {(automaton.start, ())}
    while front:
        nxt = set()
        for state, word in front:
            for q in automaton.closure([state]):
                if q == automaton.final:
                    found.add(word)
                if len(word) < longest:
                    nxt |= {(r, (*word, a)) for a, r in automaton.labelled[q]}
        front = nxt
    return found


def _distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Moves on the log and on the model between two sequences: |a| + |b| - 2 LCS."""

    @functools.lru_cache(None)
    def lcs(i: int, j: int) -> int:
        if i == len(a) or j == len(b):
            return 0
        return lcs(i + 1, j + 1) + 1 if a[i] == b[j] else max(lcs(i + 1, j), lcs(i, j + 1))

    return len(a) + len(b) - 2 * lcs(0, 0)


@pytest.mark.parametrize(("spec", "longest"), SPECS)
def test_regex_automaton_and_alignments_agree_and_are_optimal(spec, longest):
    template = one(spec)
    automaton = Automaton.of(template.steps)
    codes = activity_codes(template.activities())
    regex = re.compile(template_regex(template.steps, codes))
    words = _words(automaton, longest)
    alphabet = [*template.activities(), "x"]
    rng = random.Random(7)
    for _ in range(150):
        trace = tuple(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
        cost, moves = align(automaton, trace)
        coded = "".join(codes.get(a, OTHER_CODE) for a in trace)
        assert (cost == 0) == bool(regex.match(coded)) == automaton.accepts(trace), trace
        assert [a for kind, a in moves if kind != "model"] == list(trace)
        assert cost == sum(kind != "sync" for kind, _ in moves)
        assert cost == min(_distance(trace, w) for w in words), trace


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "x"]), min_size=1, max_size=8))
def test_a_sequence_follows_a_sequence_template_exactly_when_equal(trace):
    automaton = Automaton.of(one(["a", "b", "c"]).steps)
    cost, _ = align(automaton, trace)
    assert cost == _distance(tuple(trace), ("a", "b", "c"))
    assert (cost == 0) == (trace == ["a", "b", "c"])


def test_any_order_is_every_order():
    automaton = Automaton.of(one([{"any_order": ["a", "b", "c"]}]).steps)
    accepted = {p for p in itertools.product("abc", repeat=3) if automaton.accepts(p)}
    assert accepted == set(itertools.permutations("abc"))


def test_deviations_of_a_case_by_hand():
    automaton = Automaton.of(one(["call", "log", "assess", "work", "close"]).steps)
    trace = ["call", "log", "info", "work", "returned", "work", "close", "close"]
    cost, moves = align(automaton, trace)
    assert cost == 5
    assert deviations(moves) == [
        ("inserted", "info", 1), ("inserted", "returned", 1), ("repeated", "close", 1),
        ("repeated", "work", 1), ("skipped", "assess", 1),
    ]  # fmt: skip
    # Which occurrence an alignment takes as designed does not change the kinds.
    assert deviations([("log", "w"), ("sync", "w")]) == deviations([("sync", "w"), ("log", "w")])
    assert deviations([("log", "chase"), ("log", "chase")]) == [
        ("inserted", "chase", 1),
        ("repeated", "chase", 1),
    ]


def test_designed_paths_follow_the_language():
    template = one(["a", {"repeat": "b"}, {"one_of": ["c", ["d", {"optional": "e"}]]}])
    assert designed_paths(Automaton.of(template.steps)) == [
        ("__start__", "a"), ("a", "b"), ("b", "b"), ("b", "c"), ("b", "d"),
        ("c", "__end__"), ("d", "__end__"), ("d", "e"), ("e", "__end__"),
    ]  # fmt: skip
