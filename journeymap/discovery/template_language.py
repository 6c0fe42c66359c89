"""The language of a journey template: which activity sequences follow it, and what a
case that does not follow it did differently.

A template of steps (:mod:`journeymap.template_model`) describes a regular
language over activity names: a sequence concatenates, ``optional`` is zero or one,
``repeat`` one or more, ``one_of`` an alternative, ``any_order`` every order of its
activities. Three forms of it are used:

- :func:`template_regex`: a regular expression over one character per activity
  (:func:`activity_codes`), for the engine to match each variant's sequence against;
- :class:`Automaton`: a finite automaton of the steps (Thompson's construction, with an
  ``any_order`` group as the subsets of its activities done so far), on which
  :func:`align` finds an optimal alignment of a sequence: the fewest moves on the log
  (an event the template does not expect there) and moves on the model (a step the
  template expects that the case did not do), as pm4py's alignments count them;
- :func:`designed_paths`: the pairs of activities that can follow each other directly in
  the template, for drawing it.

:func:`deviations` names what an alignment says the case did differently.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from journeymap.template_model import (
    AnyOrder,
    OneOf,
    OptionalStep,
    RepeatStep,
    Seq,
    Step,
)

__all__ = [
    "DEVIATION_KINDS",
    "OTHER_CODE",
    "Automaton",
    "Move",
    "activity_codes",
    "align",
    "designed_paths",
    "deviations",
    "template_regex",
]

#: What a case can do differently from its template.
DEVIATION_KINDS = ("skipped", "inserted", "repeated")
#: The character every activity without a code stands for in a coded sequence.
OTHER_CODE = "\uf8ff"
_FIRST_CODE = 0xE000  # Unicode's private use area: never a character of the regex syntax
_START, _END = "__start__", "__end__"

#: One move of an alignment: ("sync" | "log" | "model", activity).
Move = tuple[str, str]


def activity_codes(names: Iterable[str]) -> dict[str, str]:
    """One character per activity name (sorted names, private-use code points), for
    matching sequences by a regular expression.

    Examples
    --------
    >>> [hex(ord(c)) for c in activity_codes(["b", "a"]).values()]
    ['0xe000', '0xe001']
    """
    ordered = sorted(set(names))
    if len(ordered) > ord(OTHER_CODE) - _FIRST_CODE:
        raise ValueError(f"too many activities in the templates: {len(ordered)}")
    return {name: chr(_FIRST_CODE + i) for i, name in enumerate(ordered)}


def template_regex(steps: Step, codes: Mapping[str, str]) -> str:
    """A regular expression that matches exactly the coded sequences (each activity as
    its character in ``codes``) that follow the steps, anchored at both ends. It uses
    only what RE2 (DuckDB's engine) and Python's ``re`` share.

    Examples
    --------
    >>> from journeymap.template_model import parse_templates
    >>> t, = parse_templates([{"name": "t", "steps": ["a", {"optional": "b"},
    ...                        {"any_order": ["c", "d"]}]}])
    >>> codes = {"a": "A", "b": "B", "c": "C", "d": "D"}
    >>> template_regex(t.steps, codes)
    '^A(?:B)?(?:CD|DC)$'
    """
    return f"^{_regex(steps, codes)}$"


def _regex(step: Step, codes: Mapping[str, str]) -> str:
    if isinstance(step, str):
        return codes[step]
    if isinstance(step, Seq):
        return "".join(_regex(s, codes) for s in step.steps)
    if isinstance(step, OptionalStep):
        return f"(?:{_regex(step.step, codes)})?"
    if isinstance(step, RepeatStep):
        return f"(?:{_regex(step.step, codes)})+"
    if isinstance(step, AnyOrder):
        orders = itertools.permutations(step.activities)
        return "(?:" + "|".join("".join(codes[a] for a in order) for order in orders) + ")"
    return "(?:" + "|".join(_regex(s, codes) for s in step.alternatives) + ")"


@dataclass
class Automaton:
    """A finite automaton with empty moves, built from a template's steps.

    Attributes
    ----------
    start, final : the start and the (one) final state.
    empty : per state, the states an empty move reaches.
    labelled : per state, ``(activity, state)`` moves.
    """

    start: int = 0
    final: int = 1
    empty: list[list[int]] = field(default_factory=lambda: [[], []])
    labelled: list[list[tuple[str, int]]] = field(default_factory=lambda: [[], []])
    #: What alignments on it need, computed on the first alignment (see _costs).
    costs: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, steps: Step) -> Automaton:
        """The automaton of ``steps``: it accepts exactly the sequences that follow them.

        Examples
        --------
        >>> from journeymap.template_model import parse_templates
        >>> t, = parse_templates([{"name": "t", "steps": ["a", {"repeat": "b"}]}])
        >>> aut = Automaton.of(t.steps)
        >>> [aut.accepts(s) for s in (["a"], ["a", "b"], ["a", "b", "b"], ["b"])]
        [False, True, True, False]
        """
        automaton = cls()
        automaton._build(steps, automaton.start, automaton.final)
        return automaton

    @property
    def states(self) -> int:
        """The number of states."""
        return len(self.empty)

    def _new(self) -> int:
        self.empty.append([])
        self.labelled.append([])
        return len(self.empty) - 1

    def _build(self, step: Step, begin: int, end: int) -> None:
        if isinstance(step, str):
            self.labelled[begin].append((step, end))
        elif isinstance(step, Seq):
            here = begin
            for i, s in enumerate(step.steps):
                nxt = end if i == len(step.steps) - 1 else self._new()
                self._build(s, here, nxt)
                here = nxt
        elif isinstance(step, OptionalStep):
            self._build(step.step, begin, end)
            self.empty[begin].append(end)
        elif isinstance(step, RepeatStep):
            inner_begin, inner_end = self._new(), self._new()
            self.empty[begin].append(inner_begin)
            self._build(step.step, inner_begin, inner_end)
            self.empty[inner_end] += [end, inner_begin]
        elif isinstance(step, OneOf):
            for s in step.alternatives:
                inner_begin, inner_end = self._new(), self._new()
                self.empty[begin].append(inner_begin)
                self._build(s, inner_begin, inner_end)
                self.empty[inner_end].append(end)
        else:
            # One state per subset of the group's activities done so far.
            names = step.activities
            subsets = {0: begin, (1 << len(names)) - 1: end}
            for mask in range(1, (1 << len(names)) - 1):
                subsets[mask] = self._new()
            for mask, state in subsets.items():
                for i, name in enumerate(names):
                    if not mask & (1 << i):
                        self.labelled[state].append((name, subsets[mask | (1 << i)]))

    def closure(self, states: Iterable[int]) -> set[int]:
        """The states reachable from ``states`` by empty moves (themselves included)."""
        seen = set(states)
        stack = list(seen)
        while stack:
            for nxt in self.empty[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def accepts(self, sequence: Sequence[str]) -> bool:
        """Whether ``sequence`` follows the template (is a word of its language)."""
        current = self.closure([self.start])
        for activity in sequence:
            current = self.closure(q for s in current for a, q in self.labelled[s] if a == activity)
            if not current:
                return False
        return self.final in current


# -- alignments ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Costs:
    """What alignments on one automaton need, computed once: ``within[p, q]``, the
    fewest moves on the model from p to q within one position (empty moves are free);
    and per activity the labelled moves as (source, target) index arrays."""

    within: Any
    moves: dict[str, tuple[Any, Any]]


#: A move's cost in the search: the fewest moves first, then the fewest on the model (a
#: step skipped), so that of two alignments with as many moves the one that reads the
#: case as doing something again or extra, not as skipping a step, wins (a case that did
#: Active and Resolved twice is not one that skipped an optional Awaiting Vendor step to
#: do Active again). Alignments have fewer than 1,000 moves on the model.
_LOG_MOVE, _MODEL_MOVE = 1_000, 1_001


def _costs(automaton: Automaton) -> _Costs:
    import numpy as np

    if automaton.costs is not None:
        return automaton.costs
    n = automaton.states
    within = np.full((n, n), np.inf)
    for source in range(n):  # 0-1 breadth-first search from each state
        row = within[source]
        row[source] = 0
        queue = deque([source])
        while queue:
            p = queue.popleft()
            for q in automaton.empty[p]:
                if row[p] < row[q]:
                    row[q] = row[p]
                    queue.appendleft(q)
            for _, q in automaton.labelled[p]:
                if row[p] + _MODEL_MOVE < row[q]:
                    row[q] = row[p] + _MODEL_MOVE
                    queue.append(q)
    pairs: dict[str, list[tuple[int, int]]] = {}
    for p in range(n):
        for a, q in automaton.labelled[p]:
            pairs.setdefault(a, []).append((p, q))
    moves = {
        a: (
            np.array([p for p, _ in e], dtype=np.int64),
            np.array([q for _, q in e], dtype=np.int64),
        )
        for a, e in pairs.items()
    }
    automaton.costs = _Costs(within, moves)
    return automaton.costs


def align(automaton: Automaton, sequence: Sequence[str]) -> tuple[int, list[Move]]:
    """An optimal alignment of ``sequence`` with the template: its cost and moves.

    Moves are ``("sync", a)`` (the event a where the template expects it), ``("log",
    a)`` (an event the template does not expect there; cost 1) and ``("model", a)``
    (a step a the template expects that the case did not do; cost 1); empty moves of
    the automaton are free and not listed. The cost is the fewest moves on the log and
    on the model any alignment needs (0 exactly when the sequence follows the template),
    as pm4py's alignments with their standard costs count them.

    Of the alignments of least cost, this one takes, event by event, the event as
    expected when it can (with the fewest steps skipped first), so that the first
    occurrence of a step is the one that follows the template.

    Examples
    --------
    >>> from journeymap.template_model import parse_templates
    >>> t, = parse_templates([{"name": "t", "steps": ["a", "b", "c"]}])
    >>> align(Automaton.of(t.steps), ["a", "x", "c"])
    (2, [('sync', 'a'), ('log', 'x'), ('model', 'b'), ('sync', 'c')])
    """
    import numpy as np

    costs = _costs(automaton)
    n = len(sequence)
    # h[i][q]: the least cost to finish from state q with the first i events done; each
    # position's costs are its entry costs lowered along the moves within it.
    h: list[list[float]] = [[]] * (n + 1)
    nxt = costs.within[:, automaton.final].copy()
    h[n] = nxt.tolist()
    for i in range(n - 1, -1, -1):
        entry = nxt + _LOG_MOVE  # a move on the log
        found = costs.moves.get(sequence[i])
        if found is not None:  # a sync move
            np.minimum.at(entry, found[0], nxt[found[1]])
        nxt = (costs.within + entry[None, :]).min(axis=1)
        h[i] = nxt.tolist()
    total = h[0][automaton.start]
    moves: list[Move] = []
    state = automaton.start
    for i in range(n + 1):
        order, parent = _optimal_within(automaton, h[i], state)
        target, move = _next_move(automaton, h, i, order, sequence)
        moves += _path(parent, target)
        if i == n:
            break
        moves.append(move[0])
        state = move[1]
    return int(total) // _LOG_MOVE, moves


def _optimal_within(
    automaton: Automaton, h: list[float], state: int
) -> tuple[list[int], dict[int, tuple[int, Move | None]]]:
    """The states reachable from ``state`` within one position by moves that keep the
    alignment optimal, in breadth-first order, and how each was reached."""
    parent: dict[int, tuple[int, Move | None]] = {state: (-1, None)}
    order = [state]
    for p in order:
        for q in automaton.empty[p]:
            if q not in parent and h[p] == h[q]:
                parent[q] = (p, None)
                order.append(q)
        for a, q in automaton.labelled[p]:
            if q not in parent and h[p] == _MODEL_MOVE + h[q]:
                parent[q] = (p, ("model", a))
                order.append(q)
    return order, parent


def _next_move(
    automaton: Automaton, h: list[list[float]], i: int, order: list[int], sequence: Sequence[str]
) -> tuple[int, tuple[Move, int]]:
    """Where to take the next event (or, at the end, where the final state is): a sync
    with the fewest steps skipped before it, else a move on the log."""
    here = h[i]
    ranked = sorted(order, key=lambda q: -here[q])  # stable: breadth-first among equals
    if i == len(sequence):
        return automaton.final, (("sync", ""), automaton.final)
    nxt = h[i + 1]
    event = sequence[i]
    for p in ranked:
        for a, q in automaton.labelled[p]:
            if a == event and here[p] == nxt[q]:
                return p, (("sync", event), q)
    for p in ranked:
        if here[p] == _LOG_MOVE + nxt[p]:
            return p, (("log", event), p)
    raise AssertionError("no optimal move: the cost table is inconsistent")  # pragma: no cover


def _path(parent: dict[int, tuple[int, Move | None]], target: int) -> list[Move]:
    moves: list[Move] = []
    while True:
        before, move = parent[target]
        if before < 0:
            return moves[::-1]
        if move is not None:
            moves.append(move)
        target = before


def deviations(moves: Sequence[Move]) -> list[tuple[str, str, int]]:
    """What a case did differently from its template, from an alignment's moves:
    ``(kind, activity, events)`` rows, sorted.

    - ``skipped``: a step the template expects that the case did not do (a move on the
      model of a visible step).
    - ``inserted`` and ``repeated``: events the template does not expect where they are
      (moves on the log). When the case also does the activity as the template expects,
      they are repeated; otherwise the first is inserted and any others are repeated.
      (Which occurrence an alignment matches with the template does not change this.)

    Examples
    --------
    >>> deviations([("sync", "a"), ("log", "x"), ("log", "a"), ("log", "x"),
    ...             ("model", "b")])
    [('inserted', 'x', 1), ('repeated', 'a', 1), ('repeated', 'x', 1), ('skipped', 'b', 1)]
    """
    synced = {a for kind, a in moves if kind == "sync"}
    found: Counter[tuple[str, str]] = Counter()
    logged: set[str] = set()
    for kind, a in moves:
        if kind == "model":
            found["skipped", a] += 1
        elif kind == "log":
            first = a not in synced and a not in logged
            found["inserted" if first else "repeated", a] += 1
            logged.add(a)
    return sorted((kind, a, n) for (kind, a), n in found.items())


def designed_paths(automaton: Automaton) -> list[tuple[str, str]]:
    """The pairs (a, b) of activities that can directly follow each other in a sequence
    that follows the template, with ``__start__`` and ``__end__`` for the first and
    last; sorted.

    Examples
    --------
    >>> from journeymap.template_model import parse_templates
    >>> t, = parse_templates([{"name": "t", "steps": ["a", {"optional": "b"}, "c"]}])
    >>> designed_paths(Automaton.of(t.steps))
    [('__start__', 'a'), ('a', 'b'), ('a', 'c'), ('b', 'c'), ('c', '__end__')]
    """
    useful = _useful(automaton)
    pairs: set[tuple[str, str]] = set()

    def follow(source: str, states: Iterable[int]) -> None:
        reach = automaton.closure(states)
        if automaton.final in reach:
            pairs.add((source, _END))
        for s in reach:
            for b, q in automaton.labelled[s]:
                if q in useful:
                    pairs.add((source, b))

    follow(_START, [automaton.start])
    for p in range(automaton.states):
        for a, q in automaton.labelled[p]:
            if q in useful:
                follow(a, [q])
    pairs.discard((_START, _END))
    return sorted(pairs)


def _useful(automaton: Automaton) -> set[int]:
    """States from which the final state can be reached."""
    back: list[list[int]] = [[] for _ in range(automaton.states)]
    for p in range(automaton.states):
        for q in automaton.empty[p]:
            back[q].append(p)
        for _, q in automaton.labelled[p]:
            back[q].append(p)
    seen = {automaton.final}
    stack = [automaton.final]
    while stack:
        for p in back[stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen
