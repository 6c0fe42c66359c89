"""Journey templates: the journey a type of demand is designed to take.

A template is written in TOML, in the configuration (``[[template]]``) or a file of its
own, as an ordered list of steps, or as a BPMN file::

    [[template]]
    name = "Bulky collection"
    demand = "Bulky waste collection"      # the type of demand; omit for all demand
    steps = [
        "Receive request",
        {optional = "Check address"},       # done once or not at all
        {any_order = ["Book slot", "Take payment"]},   # each once, in any order
        {repeat = "Call customer"},         # once or more
        {one_of = ["Collect", ["Refer", "Close"]]},     # exactly one alternative
    ]
    # or: bpmn = "designed.bpmn"            # relative to the file's folder

A step is an activity name, a list of steps (a sequence), or a table with one key:
``optional`` and ``repeat`` take a step, ``one_of`` two or more steps, ``any_order``
2 to :data:`MAX_ANY_ORDER` different activity names. A template describes a set of
activity sequences, its language; a case follows the template when its activity
sequence is one of them (see :mod:`journeymap.discovery.template_language`).

This module holds the model and reads it from TOML values (:func:`parse_templates`),
checking every step; a mistake is a :class:`~journeymap.errors.ConfigError` that names
the file, the template and the step, and says what to do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from journeymap.config import suggest
from journeymap.errors import ConfigError, option

__all__ = [
    "ALIGNMENT_MAX_CASES",
    "MAX_ANY_ORDER",
    "METHODS",
    "STEP_KINDS",
    "AnyOrder",
    "OneOf",
    "OptionalStep",
    "RepeatStep",
    "Seq",
    "Step",
    "Template",
    "Templates",
    "parse_templates",
]

#: The most activities an ``any_order`` group takes: its orders are enumerated.
MAX_ANY_ORDER = 5
#: The keys of a step written as a table.
STEP_KINDS = ("optional", "repeat", "any_order", "one_of")
_TEMPLATE_KEYS = ("name", "demand", "steps", "bpmn")
_MAX_DEPTH = 10
_MAX_ACTIVITIES = 500


@dataclass(frozen=True)
class Seq:
    """Steps one after the other."""

    steps: tuple[Step, ...]


@dataclass(frozen=True)
class OptionalStep:
    """A step done once or not at all."""

    step: Step


@dataclass(frozen=True)
class RepeatStep:
    """A step done once or more, one time after the other."""

    step: Step


@dataclass(frozen=True)
class AnyOrder:
    """Activities each done once, in any order."""

    activities: tuple[str, ...]


@dataclass(frozen=True)
class OneOf:
    """Exactly one of two or more alternatives."""

    alternatives: tuple[Step, ...]


#: A step: an activity name or one of the groups.
Step = Union[str, Seq, OptionalStep, RepeatStep, AnyOrder, OneOf]  # noqa: UP007


@dataclass(frozen=True)
class Template:
    """The designed journey of a type of demand.

    Attributes
    ----------
    name : what the template is called (unique).
    demand : the type of demand it is for (a value of the demand column), or None for
        all demand (the cases no other template is for).
    steps : the steps in order (a :class:`Seq`), or None for a BPMN template.
    bpmn : the BPMN file's path, or None for a template of steps.
    source : the file it was read from, for messages.
    """

    name: str
    demand: str | None = None
    steps: Seq | None = None
    bpmn: str | None = None
    source: str = "templates"

    @property
    def kind(self) -> str:
        """``"steps"`` or ``"bpmn"``."""
        return "bpmn" if self.bpmn is not None else "steps"

    def activities(self) -> tuple[str, ...]:
        """The activity names of the steps, each once, sorted (empty for BPMN).

        Examples
        --------
        >>> t = parse_templates([{"name": "t", "steps": ["b", {"optional": "a"}, "b"]}])[0]
        >>> t.activities()
        ('a', 'b')
        """
        return tuple(sorted(set(_names(self.steps)))) if self.steps is not None else ()

    def last_activities(self) -> tuple[str, ...]:
        """The activities a journey as designed can end with, sorted (empty for BPMN).

        Examples
        --------
        >>> steps = ["a", {"one_of": ["b", ["c", {"repeat": "d"}]]}, {"optional": "e"}]
        >>> parse_templates([{"name": "t", "steps": steps}])[0].last_activities()
        ('b', 'd', 'e')
        """
        return tuple(sorted(_last(self.steps)[0])) if self.steps is not None else ()

    def size(self) -> int:
        """How many activity names the steps write (a measure of the template's size)."""
        return sum(1 for _ in _names(self.steps)) if self.steps is not None else 0

    def toml_steps(self) -> list[Any]:
        """The steps as TOML values (the inverse of the parsing).

        Examples
        --------
        >>> steps = ["a", {"one_of": ["b", ["c", {"repeat": "d"}]]}]
        >>> parse_templates([{"name": "t", "steps": steps}])[0].toml_steps() == steps
        True
        """
        if self.steps is None:
            return []
        return [_toml(step) for step in self.steps.steps]


def _names(step: Step | None) -> Iterator[str]:
    if step is None:
        return
    if isinstance(step, str):
        yield step
    elif isinstance(step, Seq):
        for s in step.steps:
            yield from _names(s)
    elif isinstance(step, OptionalStep | RepeatStep):
        yield from _names(step.step)
    elif isinstance(step, AnyOrder):
        yield from step.activities
    else:
        for s in step.alternatives:
            yield from _names(s)


def _last(step: Step) -> tuple[set[str], bool]:
    """The activities ``step`` can end with, and whether it can be done with none."""
    if isinstance(step, str):
        return {step}, False
    if isinstance(step, AnyOrder):
        return set(step.activities), False
    if isinstance(step, OptionalStep):
        return _last(step.step)[0], True
    if isinstance(step, RepeatStep):
        return _last(step.step)
    if isinstance(step, OneOf):
        found = [_last(s) for s in step.alternatives]
        return set().union(*(names for names, _ in found)), any(empty for _, empty in found)
    ends: set[str] = set()
    for inner in reversed(step.steps):  # a sequence ends with its last step that is done
        names, empty = _last(inner)
        ends |= names
        if not empty:
            return ends, False
    return ends, True


def _toml(step: Step) -> Any:
    if isinstance(step, str):
        return step
    if isinstance(step, Seq):
        return [_toml(s) for s in step.steps]
    if isinstance(step, OptionalStep):
        return {"optional": _toml(step.step)}
    if isinstance(step, RepeatStep):
        return {"repeat": _toml(step.step)}
    if isinstance(step, AnyOrder):
        return {"any_order": list(step.activities)}
    return {"one_of": [_toml(s) for s in step.alternatives]}


# -- reading ------------------------------------------------------------------------
class _Where:
    """Where in the file a mistake is, for messages."""

    def __init__(self, source: str, name: str | None, index: int) -> None:
        self.source, self.name, self.index = source, name, index

    def error(self, message: str, step: str | None = None) -> ConfigError:
        who = f"template {self.name!r}" if self.name else f"template[{self.index}]"
        where = f", step {step}" if step else ""
        return ConfigError(f"{self.source}: {who}{where}: {message}")


def parse_templates(
    tables: Sequence[Any], *, source: str = "templates", folder: str | Path | None = None
) -> tuple[Template, ...]:
    """Read ``[[template]]`` tables (TOML values) into templates, checking each step.

    ``folder`` is where relative ``bpmn`` paths are looked up (the file's folder).

    Raises
    ------
    ConfigError
        A template without a name or with a name used twice, two templates for one type
        of demand (or two for all demand), an unknown key, both or neither of ``steps``
        and ``bpmn``, a BPMN file that does not exist, or a step that is not an activity
        name, a list or one of the tables of :data:`STEP_KINDS`. The message names the
        file, the template and the step (``step 3``, ``step 3 > one_of 2``).

    Examples
    --------
    >>> t, = parse_templates([{"name": "Bins", "demand": "Missed bin",
    ...                        "steps": ["Call", {"optional": "Log"}, "Collect"]}])
    >>> t.name, t.demand, t.kind, t.activities()
    ('Bins', 'Missed bin', 'steps', ('Call', 'Collect', 'Log'))
    >>> parse_templates([{"name": "Bins", "steps": ["Call", {"twice": "Log"}]}],
    ...                 source="t.toml")
    Traceback (most recent call last):
    ...
    journeymap.errors.ConfigError: t.toml: template 'Bins', step 2: unknown kind of step 'twice'; a step is an activity name, a list of steps, or a table with one of optional, repeat, any_order, one_of
    """  # noqa: E501
    if not isinstance(tables, list | tuple):
        raise ConfigError(f"{source}: template must be written as [[template]] tables")
    templates: list[Template] = []
    for index, table in enumerate(tables, 1):
        templates.append(_template(table, index, source, Path(folder) if folder else None))
    names = [t.name for t in templates]
    demands = [t.demand for t in templates]
    for i, t in enumerate(templates):
        if t.name in names[:i]:
            raise _Where(source, t.name, i + 1).error(
                "the name is used by an earlier template too; give each template its own name"
            )
        if t.demand in demands[:i]:
            other = templates[demands.index(t.demand)].name
            what = f"demand {t.demand!r}" if t.demand is not None else "all demand (no demand)"
            raise _Where(source, t.name, i + 1).error(
                f"template {other!r} is already for {what}; a type of demand takes one "
                "template: remove one, or give it another demand"
            )
    return tuple(templates)


def _template(table: Any, index: int, source: str, folder: Path | None) -> Template:
    where = _Where(source, None, index)
    if not isinstance(table, dict):
        raise where.error("must be a table: write it as [[template]] with name = ... below")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise where.error('needs a name: name = "..." (text)')
    where.name = name = name.strip()
    for key in table:
        if key not in _TEMPLATE_KEYS:
            raise where.error(
                f"unknown key {key!r}{suggest(key, _TEMPLATE_KEYS)}; a template takes: "
                f"{', '.join(_TEMPLATE_KEYS)}"
            )
    demand = table.get("demand")
    if demand is not None and (not isinstance(demand, str) or not demand.strip()):
        raise where.error(f"demand must be the type of demand as text, not {demand!r}")
    has_steps, has_bpmn = "steps" in table, "bpmn" in table
    if has_steps == has_bpmn:
        raise where.error(
            'give either steps = [...] (the steps in order) or bpmn = "FILE" (a BPMN '
            f"model), {'not both' if has_steps else 'one of them'}"
        )
    demand = demand.strip() if isinstance(demand, str) else None
    if has_bpmn:
        return Template(name, demand, None, _bpmn_path(table["bpmn"], where, folder), source)
    steps = table["steps"]
    if not isinstance(steps, list) or not steps:
        raise where.error('steps must be a list of one or more steps, such as steps = ["A", "B"]')
    seq = Seq(tuple(_step(s, str(i), where, 1) for i, s in enumerate(steps, 1)))
    template = Template(name, demand, seq, None, source)
    if template.size() > _MAX_ACTIVITIES:
        raise where.error(
            f"writes {template.size()} activity names, more than {_MAX_ACTIVITIES}; "
            "a template is the designed journey, not every variant"
        )
    return template


def _bpmn_path(value: Any, where: _Where, folder: Path | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(f"bpmn must be the path of a BPMN file as text, not {value!r}")
    path = Path(value.strip()).expanduser()
    if not path.is_absolute() and folder is not None:
        path = folder / path
    if not path.is_file():
        relative = f" (relative to {folder})" if folder is not None else ""
        raise where.error(
            f"bpmn file {value!r} not found{relative}; give the path of a .bpmn file, "
            "relative to the templates file's folder"
        )
    return str(path)


def _step(value: Any, at: str, where: _Where, depth: int) -> Step:
    if depth > _MAX_DEPTH:
        raise where.error(f"steps nest more than {_MAX_DEPTH} deep; write them flatter", at)
    if isinstance(value, str):
        return _activity(value, at, where)
    if isinstance(value, list):
        if not value:
            raise where.error("an empty list of steps; give at least one step", at)
        items = (_step(v, f"{at} > {i}", where, depth + 1) for i, v in enumerate(value, 1))
        return Seq(tuple(items))
    if not isinstance(value, dict):
        raise where.error(
            f"{value!r} is not a step; a step is an activity name (text), a list of steps, or "
            f"a table with one of {', '.join(STEP_KINDS)}",
            at,
        )
    if len(value) != 1:
        keys = ", ".join(value) or "none"
        raise where.error(
            f"a step table takes exactly one key of {', '.join(STEP_KINDS)}, not {keys}; "
            "write one table per step",
            at,
        )
    ((kind, inner),) = value.items()
    if kind not in STEP_KINDS:
        raise where.error(
            f"unknown kind of step {kind!r}{suggest(kind, STEP_KINDS)}; a step is an activity "
            f"name, a list of steps, or a table with one of {', '.join(STEP_KINDS)}",
            at,
        )
    inner_at = f"{at} > {kind}"
    if kind == "optional":
        return OptionalStep(_step(inner, inner_at, where, depth + 1))
    if kind == "repeat":
        return RepeatStep(_step(inner, inner_at, where, depth + 1))
    if kind == "any_order":
        return _any_order(inner, inner_at, where)
    if not isinstance(inner, list) or len(inner) < 2:
        raise where.error(
            'one_of takes a list of two or more alternatives, such as {one_of = ["A", ["B", "C"]]}',
            at,
        )
    alternatives = (_step(v, f"{inner_at} {i}", where, depth + 1) for i, v in enumerate(inner, 1))
    return OneOf(tuple(alternatives))


def _any_order(inner: Any, at: str, where: _Where) -> AnyOrder:
    ok = isinstance(inner, list) and all(isinstance(v, str) for v in inner)
    names = [_activity(v, at, where) for v in inner] if ok else []
    if not ok or not 2 <= len(names) <= MAX_ANY_ORDER or len(set(names)) != len(names):
        raise where.error(
            f"any_order takes 2 to {MAX_ANY_ORDER} different activity names, such as "
            '{any_order = ["A", "B"]}; list longer groups in order, or split them',
            at,
        )
    return AnyOrder(tuple(names))


def _activity(value: str, at: str, where: _Where) -> str:
    """An activity name as the log holds it, blanks at its ends trimmed as reading trims
    them. Line breaks and other control characters are kept: a spreadsheet cell's
    Alt+Enter puts them in real activity names, and ``template suggest`` writes them."""
    name = value.strip()
    if not name:
        raise where.error("an empty activity name; write the activity as the log names it", at)
    return name


#: The ways conformance is checked (``auto`` chooses per template).
METHODS = ("auto", "alignments", "sequence match", "token replay")
#: ``auto`` aligns a template's cases with pm4py up to this many cases.
ALIGNMENT_MAX_CASES = 5000


@dataclass(frozen=True)
class Templates:
    """``[templates]`` and ``[[template]]``: the journey templates and how to check them.

    Attributes
    ----------
    templates : the templates (:func:`~journeymap.template_model.
        parse_templates`), in file order.
    demand_column : the column that says what each case is a demand for (a request
        type, a category); needed when a template names its ``demand``.
    method : one of :data:`METHODS`.
    alignment_max_cases : with ``auto``, align templates of up to this many cases.
    source : where the templates came from, for messages.
    """

    templates: tuple[Template, ...] = ()
    demand_column: str | None = field(
        default=None,
        metadata={"help": "The column saying what each case is a demand for (a request type)."},
    )
    method: str = field(
        default="auto",
        metadata={"help": f"How conformance is checked: {', '.join(METHODS)}."},
    )
    alignment_max_cases: int = field(
        default=ALIGNMENT_MAX_CASES,
        metadata={"help": "With auto, align templates of up to this many cases with pm4py."},
    )
    source: str = field(default="configuration", compare=False)

    def __post_init__(self) -> None:
        spaced = self.method.replace("_", " ")  # sequence_match, as a TOML key is written
        if spaced in METHODS:
            object.__setattr__(self, "method", spaced)
        if self.method not in METHODS:
            raise ConfigError(
                f"{self.source}: templates.method must be one of "
                f"{', '.join(METHODS)}, not {self.method!r}"
            )
        if self.alignment_max_cases < 0:
            raise ConfigError(
                f"{self.source}: templates.alignment_max_cases must be 0 or more, not "
                f"{self.alignment_max_cases}"
            )
        if self.method == "sequence match":
            for t in self.templates:
                if t.steps is None:
                    raise ConfigError(
                        f"{self.source}: templates.method 'sequence match' needs steps, "
                        f"and template {t.name!r} is a BPMN model; use auto, alignments "
                        "or token replay"
                    )

    def named(self, name: str) -> Template:
        """The template called ``name``.

        Raises
        ------
        ConfigError
            There is no such template (the message lists those there are).
        """
        for t in self.templates:
            if t.name == name:
                return t
        if not self.templates:
            raise ConfigError(
                f"no template is called {name!r}: no journey templates are given; write "
                f"[[template]] tables in the configuration or give {option('templates', 'FILE')}"
            )
        have = ", ".join(repr(t.name) for t in self.templates)
        raise ConfigError(f"no template is called {name!r}; the templates are: {have}")

    def key(self) -> str:
        """A short key of the templates and settings, for tables kept on the engine."""
        return f"{abs(hash(self)):x}"
