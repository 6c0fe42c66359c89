"""Conformance checking by pm4py: a template as a Petri net, and sequences replayed on it.

With :mod:`journeymap.discovery.models`, the only module of journeymap that uses pm4py.
It is given the distinct activity sequences of a log (its variants), never the events,
and imports pm4py on the first call only (the import alone takes about 2 s).

- :func:`template_net`: a template as an accepting Petri net. A template of steps
  becomes a process tree (sequence, ``optional`` as a choice with a silent step,
  ``repeat`` as a loop back through a silent step, ``one_of`` as a choice, ``any_order``
  as a parallel block) and then a net, so that the net's language is exactly the
  template's; a BPMN template is read with pm4py and converted.
- :func:`replay`: each sequence on the net, by pm4py's alignments (exact: the fewest
  moves on the log and on the model, standard costs) or by its token-based replay
  (faster; it cannot say which steps were skipped).
- :func:`net_paths`: the pairs of activities that can directly follow each other in the
  net, for drawing a BPMN template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from journeymap.discovery.template_language import Move
from journeymap.errors import ConfigError, MissingDependencyError
from journeymap.template_model import (
    AnyOrder,
    OneOf,
    OptionalStep,
    RepeatStep,
    Seq,
    Step,
    Template,
)

__all__ = [
    "REPLAY_METHODS",
    "Replayed",
    "duplicate_labels",
    "net_paths",
    "replay",
    "template_net",
]

#: The ways :func:`replay` replays sequences.
REPLAY_METHODS = ("alignments", "token replay")
_INSTALL = "pip install 'journeymap[models]'"
_START, _END = "__start__", "__end__"


@dataclass(frozen=True)
class Replayed:
    """One sequence replayed on a net.

    Attributes
    ----------
    conforming : the sequence is a word of the net's language (alignment fitness 1;
        with token replay, fired without missing tokens and ending in the final
        marking with none left over, every activity in the net).
    moves : the alignment's moves (see :func:`~journeymap.discovery.template_language.
        align`); with token replay, the events as ``sync`` or ``log`` moves (events of
        activities the net lacks, or fired while not enabled), and no moves on the model.
    fitness : pm4py's fitness of the sequence (0 to 1).
    """

    conforming: bool
    moves: tuple[Move, ...]
    fitness: float


def _pm4py() -> Any:
    try:
        import pm4py
    except ImportError as exc:
        raise MissingDependencyError(
            f"checking conformance with pm4py needs pm4py, which is not installed ({exc}): "
            f"{_INSTALL}"
        ) from exc
    return pm4py


def template_net(template: Template) -> tuple[Any, Any, Any]:
    """The template as pm4py's accepting Petri net ``(net, initial, final marking)``.

    Raises
    ------
    ConfigError
        pm4py cannot read the template's BPMN file or convert it.
    MissingDependencyError
        pm4py is not installed.

    Examples
    --------
    >>> from journeymap.template_model import parse_templates
    >>> t, = parse_templates([{"name": "t", "steps": ["a", {"optional": "b"}]}])
    >>> net, initial, final = template_net(t)
    >>> sorted(tr.label for tr in net.transitions if tr.label)
    ['a', 'b']
    """
    pm4py = _pm4py()
    if template.steps is not None:
        return pm4py.convert_to_petri_net(process_tree(template.steps))
    try:
        bpmn = pm4py.read_bpmn(template.bpmn)
        return pm4py.convert_to_petri_net(bpmn)
    except Exception as exc:  # pm4py raises what its XML reader and converter raise
        raise ConfigError(
            f"{template.source}: template {template.name!r}: cannot read the BPMN file "
            f"{template.bpmn!r} ({type(exc).__name__}: {exc}); give a BPMN 2.0 file with "
            "one process"
        ) from exc


def process_tree(steps: Step) -> Any:
    """The steps as pm4py's process tree (its language is the template's)."""
    from pm4py.objects.process_tree.obj import Operator, ProcessTree

    def node(operator: Any, children: list[Any]) -> Any:
        tree = ProcessTree(operator=operator)
        for child in children:
            child.parent = tree
            tree.children.append(child)
        return tree

    def build(step: Step) -> Any:
        if isinstance(step, str):
            return ProcessTree(label=step)
        if isinstance(step, Seq):
            parts = [build(s) for s in step.steps]
            return parts[0] if len(parts) == 1 else node(Operator.SEQUENCE, parts)
        if isinstance(step, OptionalStep):
            return node(Operator.XOR, [build(step.step), ProcessTree(label=None)])
        if isinstance(step, RepeatStep):
            return node(Operator.LOOP, [build(step.step), ProcessTree(label=None)])
        if isinstance(step, AnyOrder):
            return node(Operator.PARALLEL, [ProcessTree(label=a) for a in step.activities])
        assert isinstance(step, OneOf)
        return node(Operator.XOR, [build(s) for s in step.alternatives])

    return build(steps)


def duplicate_labels(net: tuple[Any, Any, Any]) -> list[str]:
    """The activities that label more than one transition of the net, sorted (token
    replay needs each activity once).

    Examples
    --------
    >>> from journeymap.template_model import parse_templates
    >>> t, = parse_templates([{"name": "t", "steps": [{"one_of": ["a", ["b", "a"]]}]}])
    >>> duplicate_labels(template_net(t))
    ['a']
    """
    labels = [t.label for t in net[0].transitions if t.label is not None]
    return sorted({a for a in labels if labels.count(a) > 1})


def _event_log(sequences: Sequence[Sequence[str]]) -> Any:
    from pm4py.objects.log.obj import Event, EventLog, Trace

    return EventLog([Trace([Event({"concept:name": a}) for a in seq]) for seq in sequences])


def replay(
    net: tuple[Any, Any, Any],
    sequences: Sequence[Sequence[str]],
    *,
    method: str = "alignments",
    template: Template | None = None,
) -> list[Replayed]:
    """Replay each sequence on the net with pm4py; one :class:`Replayed` per sequence,
    in order. ``method`` is one of :data:`REPLAY_METHODS`.

    Raises
    ------
    ConfigError
        The net cannot be aligned (pm4py aligns only easy-sound nets: a BPMN model that
        can deadlock cannot be checked this way), or token replay is asked for a net in
        which an activity labels two transitions (its results would depend on chance).

    Examples
    --------
    >>> from journeymap.template_model import parse_templates
    >>> t, = parse_templates([{"name": "t", "steps": ["a", {"repeat": "b"}]}])
    >>> [r.conforming for r in replay(template_net(t), [["a", "b", "b"], ["b"]])]
    [True, False]
    """
    if method not in REPLAY_METHODS:
        raise ValueError(f"method must be one of {', '.join(REPLAY_METHODS)}, not {method!r}")
    if not sequences:
        return []
    _pm4py()
    log = _event_log(sequences)
    if method == "alignments":
        return _aligned(net, log, template)
    twice = duplicate_labels(net)
    if twice:
        where = f"{template.source}: template {template.name!r}" if template else "the template"
        raise ConfigError(
            f"{where}: token replay needs each activity once in the model, and {twice[0]!r} "
            'is in it more than once; use method = "alignments" (or "auto")'
        )
    return _token_replayed(net, log, sequences)


def _aligned(net: tuple[Any, Any, Any], log: Any, template: Template | None) -> list[Replayed]:
    from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments

    parameters = {"show_progress_bar": False}
    try:
        results = alignments.apply(log, *net, parameters=parameters)
    except Exception as exc:  # pm4py raises a bare Exception for a net it cannot align
        who = f"template {template.name!r}" if template else "the template"
        where = f"{template.source}: " if template else ""
        raise ConfigError(
            f"{where}{who} cannot be aligned by pm4py ({exc}); check that its model can "
            'always reach its end (no deadlock), or use method = "token replay"'
        ) from exc
    out = []
    for result in results:
        moves: list[Move] = []
        for logged, modelled in result["alignment"]:
            if logged != ">>" and modelled != ">>":
                moves.append(("sync", str(logged)))
            elif logged != ">>":
                moves.append(("log", str(logged)))
            elif modelled is not None:
                moves.append(("model", str(modelled)))
        fitness = float(result["fitness"])
        out.append(Replayed(fitness == 1.0, tuple(moves), fitness))
    return out


def _token_replayed(
    net: tuple[Any, Any, Any], log: Any, sequences: Sequence[Sequence[str]]
) -> list[Replayed]:
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay

    # Not pm4py's consider_activities_not_in_model_in_fitness: in pm4py 2.7 it marks
    # every trace replayed after one with an unknown activity as unfit. Unknown
    # activities are checked here instead.
    parameters = {"show_progress_bar": False, "consider_remaining_in_fitness": True}
    results = token_replay.apply(log, *net, parameters=parameters)
    labels = {t.label for t in net[0].transitions if t.label is not None}
    out = []
    for sequence, result in zip(sequences, results, strict=True):
        fired = [t for t in result["activated_transitions"] if t.label is not None]
        problems = list(result["transitions_with_problems"])
        moves: list[Move] = []
        k = 0
        for activity in sequence:
            if activity not in labels:
                moves.append(("log", activity))
                continue
            transition = fired[k] if k < len(fired) else None
            k += 1
            if problems and transition is problems[0]:
                problems.pop(0)
                moves.append(("log", activity))
            else:
                moves.append(("sync", activity))
        fit = bool(result["trace_is_fit"]) and all(a in labels for a in sequence)
        out.append(Replayed(fit, tuple(moves), float(result["trace_fitness"])))
    return out


def net_paths(net: tuple[Any, Any, Any], *, max_states: int = 20_000) -> list[tuple[str, str]]:
    """The pairs (a, b) of activities that directly follow each other in some firing
    sequence of the net from its initial to its final marking, with ``__start__`` and
    ``__end__``; sorted. Silent transitions are passed through. The search stops after
    ``max_states`` markings (the pairs found so far are returned).

    Examples
    --------
    >>> from journeymap.template_model import parse_templates
    >>> t, = parse_templates([{"name": "t", "steps": [{"any_order": ["a", "b"]}]}])
    >>> net_paths(template_net(t))
    [('__start__', 'a'), ('__start__', 'b'), ('a', '__end__'), ('a', 'b'), ('b', '__end__'), ('b', 'a')]
    """  # noqa: E501
    from pm4py.objects.petri_net import semantics

    petri, initial, final = net
    key = _marking_key
    pairs: set[tuple[str, str]] = set()
    seen = {(key(initial), _START)}
    queue = [(initial, _START)]
    while queue and len(seen) < max_states:
        marking, last = queue.pop()
        if key(marking) == key(final):
            pairs.add((last, _END))
        for t in sorted(semantics.enabled_transitions(petri, marking), key=lambda t: t.name):
            after = semantics.execute(t, petri, marking)
            label = last if t.label is None else t.label
            if t.label is not None:
                pairs.add((last, t.label))
            state = (key(after), label)
            if state not in seen:
                seen.add(state)
                queue.append((after, label))
    pairs.discard((_START, _END))
    return sorted(pairs)


def _marking_key(marking: Any) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((place.name, int(n)) for place, n in marking.items()))
