"""Simulation core of :mod:`journeymap.synthetic`: the catalogue and one block of cases.

A case is a fixed sequence of *slots* (intake, acknowledgement, logging, information
request, assessment, chasers, work, ping-pong, closure, complaint, reopen). Flags drawn
per case switch slots on or off, so a block of cases lives in ``(cases, SLOTS)`` integer
matrices and is simulated with a few dozen vectorised numpy steps: no loop over events.
Because slot order is event order, the generator knows exactly what it planted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "BLOCK",
    "DIRTY_ACTIVITIES",
    "FAILURE_PATTERN",
    "ROSTER",
    "SERVICES",
    "TEAMS",
    "Block",
    "Catalogue",
    "Plan",
    "block_truth",
    "simulate_block",
]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

BLOCK = 8192  # cases per independently seeded block
DAY, HOUR = 86_400, 3_600
OPEN, CLOSE_OF_DAY = 8 * HOUR, 18 * HOUR  # working hours, Monday to Friday

#: The ``failure_activity`` rule of MEASURES.md (case-insensitive substrings).
FAILURE_PATTERN = re.compile(
    "chase|chaser|progress|status request|where is|complain|complaint|reopen|re-open"
    "|repeat|follow up|follow-up|escalat",
    re.IGNORECASE,
)
#: Activities that make a case not clean (the ``dirty_activities`` of the config).
DIRTY_ACTIVITIES = ("Request information",)

TEAMS = ("Contact Centre", "Back Office", "Field Team", "Billing & Payments", "Complaints")
CC, BO, FT, BI, CO = range(5)
TEAM_SIZE = np.array([36, 18, 22, 12, 5])
TEAM_START = np.cumsum(TEAM_SIZE) - TEAM_SIZE
CHANNELS = ("phone", "web", "e-mail", "letter", "branch")
PHONE, WEB, EMAIL, LETTER, BRANCH = range(5)
CHANNEL_P = [0.44, 0.27, 0.14, 0.05, 0.10]
INTAKE_TEAM = np.array([CC, -1, CC, BO, CC])  # web forms arrive without a handler
INTAKE = ("Call received", "Online form submitted", "E-mail received", "Letter received",
          "Branch visit")  # fmt: skip
CHASE = ("Progress chase call", "Chaser e-mail", "Chaser e-mail", "Progress chase call",
         "Progress chase call")  # fmt: skip
FIXED = ("Acknowledgement sent", "Log request", "Request information", "Information received",
         "Assess request", "Review returned work", "Close request", "Complaint received",
         "Complaint response sent", "Reopen request")  # fmt: skip

# Request types: name, work team, first and second work step, first-contact
# resolution step (None: never resolved at first contact), its probability, weight.
SERVICES: tuple[tuple[str, int, str, str, str | None, float, float], ...] = (
    ("Missed bin collection", FT, "Arrange collection", "Collection completed",
     "Book collection", 0.45, 0.22),
    ("Report a leak", FT, "Inspect leak", "Repair leak", None, 0.0, 0.12),
    ("New water connection", FT, "Site survey", "Install connection", None, 0.0, 0.07),
    ("Change of address", BI, "Verify identity", "Update account", "Update account",
     0.6, 0.20),
    ("Billing query", BI, "Review bill", "Issue corrected bill", "Explain bill", 0.5, 0.17),
    ("Council tax discount, single person", BI, "Check eligibility", "Apply discount",
     None, 0.0, 0.08),
    ("Bulky waste collection", FT, "Quote for collection", "Collect bulky items",
     "Take payment", 0.3, 0.14),
)  # fmt: skip
SERVICE_NAMES = tuple(s[0] for s in SERVICES)
WORK_TEAM = np.array([s[1] for s in SERVICES])
FCR_P = np.array([s[5] for s in SERVICES])
SERVICE_P = np.array([s[6] for s in SERVICES]) / sum(s[6] for s in SERVICES)

_FIRST = ("Alex", "Priya", "Tom", "Siobhán", "Mohammed", "Zoë", "Kwame", "Ewa", "Liam",
          "Aisha", "José", "Hannah", "Dev", "Grace", "Seun", "Mei", "Rhys", "Fatima",
          "Jack", "Ana")  # fmt: skip
_LAST = ("Morgan", "Shah", "O'Neill", "Patel", "Brontë", "Nowak", "Evans", "Okafor", "Núñez",
         "Campbell", "Hughes", "Khan", "Lee", "Chen", "Jones", "Smith", "Davies", "Ahmed",
         "Taylor", "Wright")  # fmt: skip
#: Staff (``resource``): unique names, numbered team by team (see TEAM_START).
ROSTER = tuple(
    f"{_FIRST[i % 20]} {_LAST[(i * 7 + i // 20) % 20]}" for i in range(int(TEAM_SIZE.sum()))
)

(S_INTAKE, S_ACK, S_LOG, S_INFO, S_INFO_IN, S_ASSESS, S_ASSESS2, S_CHASE, S_WORK1, S_CHASE2,
 S_RETURN, S_WORK1B, S_WORK2, S_CLOSE, S_COMPLAINT, S_RESPONSE, S_REOPEN, S_WORK2B,
 S_CLOSE2) = range(19)  # fmt: skip
SLOTS = 19
# Median wait before each slot (seconds) when the handler does not change, and its
# spread; customer-driven slots keep their own wait even across a hand-off.
_MEDIAN = np.array([0, 120, 240, 1200, 4 * DAY, 1800, 1800, 6 * DAY, 900, 5 * DAY,
                    4 * HOUR, DAY, 2 * HOUR, 1800, 4 * DAY, 6 * DAY, 8 * DAY, DAY, 1800],
                   dtype=float)  # fmt: skip
_SIGMA = np.array([0, 0.5, 0.8, 1, 0.8, 1, 0.8, 0.6, 1, 0.6, 1, 1, 1, 1, 0.7, 0.8, 0.6, 1, 1])
_CUSTOMER_DRIVEN = np.isin(np.arange(SLOTS), [S_INFO_IN, S_CHASE, S_CHASE2, S_COMPLAINT,
                                              S_REOPEN])  # fmt: skip
HANDOFF_MEDIAN, HANDOFF_SIGMA = 1.5 * DAY, 1.3  # waits across a hand-off: heavy tail
CHAIN_P = [0.72, 0.18, 0.07, 0.03]  # cases per customer (within a block)
REPEAT_P = 0.5  # a customer's later case is a repeat contact (starts within 10 days)


@dataclass(frozen=True)
class Catalogue:
    """Activity names and their codes; ``pool`` holds the wide-mode names by role."""

    names: tuple[str, ...]
    pool: tuple[Ints, Ints, Ints] | None  # assessment, first work, second work

    @classmethod
    def build(cls, activities: int | None) -> Catalogue:
        fcr = tuple(s[4] for s in SERVICES if s[4])
        if activities is None:
            work = tuple(x for s in SERVICES for x in s[2:4])
            names = tuple(dict.fromkeys(INTAKE + CHASE + FIXED + work + fcr))
            return cls(names, None)
        base = tuple(dict.fromkeys(INTAKE + CHASE + FIXED + fcr))
        base = tuple(x for x in base if x != "Assess request")
        if activities < len(base) + 3:
            raise ValueError(f"activities must be at least {len(base) + 3}")
        extra = _pool_names(activities - len(base), set(base))
        codes = np.arange(len(base), activities, dtype=np.int64)
        return cls(base + extra, (codes[0::3], codes[1::3], codes[2::3]))

    def code(self, name: str) -> int:
        return self.names.index(name)

    def codes(self, names: tuple[str | None, ...]) -> Ints:
        return np.array([self.code(x) if x else -1 for x in names], dtype=np.int64)

    def flags(self, names: tuple[str, ...]) -> Bools:
        return np.array([x in names for x in self.names])

    @property
    def failure(self) -> Bools:
        return np.array([bool(FAILURE_PATTERN.search(x)) for x in self.names])


def _pool_names(count: int, taken: set[str]) -> tuple[str, ...]:
    """Deterministic, messy, unique activity names free of failure-rule words."""
    verbs = ("Check", "Verify", "Record", "Validate", "Approve", "Schedule", "Allocate",
             "Inspect", "Calculate", "Confirm", "Prepare", "Send", "Archive", "Assign",
             "Register", "Cancel", "Amend", "Print", "Scan", "Match")  # fmt: skip
    objects = ("meter reading", "tenancy", "address", "payment plan", "direct debit",
               "site access", "permit", "invoice", "refund", "crew", "contractor", "evidence",
               "photo", "risk assessment", "work order", "account notes", "eligibility",
               "customer details", "land registry", "consent")  # fmt: skip
    tails = ("", " (stage 2)", " - manual", " [legacy]", " v2", " / out of hours")
    out: list[str] = []
    i = 0
    while len(out) < count:
        name = f"{verbs[i % 20]} {objects[(i // 20) % 20]}{tails[(i // 400) % 6]}"
        name += f" #{i // 2400}" if i >= 2400 else ""
        if name not in taken and not FAILURE_PATTERN.search(name):
            out.append(name)
        i += 1
    return tuple(out)


@dataclass(frozen=True)
class Plan:
    """Everything that fixes a log: seed, size, calendar and catalogue."""

    seed: int
    cases: int
    t0: int  # epoch seconds of the first block's window
    block_seconds: float  # width of one block's window of first-contact times
    catalogue: Catalogue

    @property
    def blocks(self) -> int:
        return -(-self.cases // BLOCK)

    def window(self, b: int) -> int:
        """Earliest possible event time of block ``b`` (its window start)."""
        return self.t0 + int(b * self.block_seconds)


@dataclass
class Block:
    """One block of simulated cases, as slot matrices in simulation order."""

    case_no: Ints  # global case number, 1-based, in order of first event within the block
    customer_no: Ints
    service: Ints
    channel: Ints
    repeat: Bools  # planted repeat contact
    tie: Bools  # case has two events with the same timestamp
    active: Bools  # (cases, SLOTS)
    act: Ints
    team: Ints  # -1: no handler
    res: Ints  # -1: no resource
    ts: Ints  # epoch seconds


def in_hours(t: Ints) -> Bools:
    day, sod = np.divmod(t, DAY)
    return ((day + 3) % 7 < 5) & (sod >= OPEN) & (sod < CLOSE_OF_DAY)


def snap(t: Ints, jitter: Ints) -> Ints:
    """Move times outside working hours to the next opening (plus a jitter)."""
    day, sod = np.divmod(t, DAY)
    wd = (day + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    nd = np.where((wd < 5) & (sod < OPEN), day, day + 1)
    nwd = (nd + 3) % 7
    nd = nd + np.where(nwd == 5, 2, np.where(nwd == 6, 1, 0))
    return np.where(in_hours(t), t, nd * DAY + OPEN + jitter)


def _other(rng: np.random.Generator, res: Ints, team: int) -> Ints:
    """A different member of ``team`` than ``res``."""
    size, start = TEAM_SIZE[team], TEAM_START[team]
    step = 1 + (rng.random(res.size) * (size - 1)).astype(np.int64)
    return np.asarray(start + (res - start + step) % size, dtype=np.int64)


def _role_codes(plan: Plan, rng: np.random.Generator, elig: list[Bools], b: int) -> list[Ints]:
    """Wide mode: draw assessment / work names from the pool (Zipf-like frequencies);
    block 0 uses every pool name at least once."""
    assert plan.catalogue.pool is not None
    out = []
    for part, ok in zip(plan.catalogue.pool, elig, strict=True):
        w = 1.0 / np.arange(1, part.size + 1)
        draw = part[rng.choice(part.size, size=ok.size, p=w / w.sum())]
        if b == 0:
            where = np.flatnonzero(ok)
            if where.size < part.size:
                raise ValueError("too few cases for that many activities: ask for more cases")
            draw[where[: part.size]] = rng.permutation(part)
        out.append(draw)
    return out


def simulate_block(plan: Plan, b: int) -> Block:
    """Simulate block ``b`` of ``plan`` (deterministic for ``plan.seed`` and ``b``)."""
    rng = np.random.default_rng([plan.seed, b])
    n = min(BLOCK, plan.cases - b * BLOCK)
    cat = plan.catalogue
    # customers: each a chain of 1-4 cases, later ones either repeat contacts or unrelated
    length = rng.choice(len(CHAIN_P), size=n, p=CHAIN_P) + 1
    m = int(np.searchsorted(np.cumsum(length), n)) + 1
    length = length[:m]
    length[-1] -= int(length.sum()) - n
    cust = np.repeat(np.arange(m), length)
    pos = np.arange(n) - (np.cumsum(length) - length)[cust]
    u = rng.random((n, 16))
    repeat = (pos > 0) & (u[:, 0] < REPEAT_P)
    channel = rng.choice(5, size=n, p=CHANNEL_P)
    service = rng.choice(len(SERVICES), size=n, p=SERVICE_P)
    for p in range(1, int(pos.max()) + 1):  # a later case is mostly about the same thing
        i = np.flatnonzero((pos == p) & (u[:, 1] < 0.8))
        service[i] = service[i - 1]
    fcr = (u[:, 2] < FCR_P[service]) & (channel != LETTER)
    routed = ~fcr
    assess = routed & (u[:, 3] < 0.85)
    chase = routed & (u[:, 4] < 0.13)
    pingpong = routed & (u[:, 5] < 0.09)
    complaint = u[:, 6] < np.where(routed, 0.05, 0.015)
    reopen = routed & (u[:, 7] < 0.04)
    active = np.zeros((n, SLOTS), dtype=bool)
    active[:, [S_INTAKE, S_WORK1, S_CLOSE]] = True
    active[:, S_ACK] = np.isin(channel, (WEB, EMAIL)) & (u[:, 8] < 0.9)
    active[:, S_LOG] = routed & (channel != LETTER)
    active[:, S_INFO] = active[:, S_INFO_IN] = u[:, 9] < np.where(routed, 0.14, 0.08)
    active[:, S_ASSESS] = assess
    active[:, S_ASSESS2] = assess & (u[:, 10] < 0.09)  # self-loop
    active[:, S_CHASE] = chase
    active[:, S_CHASE2] = chase & (u[:, 11] < 0.35)
    active[:, S_RETURN] = active[:, S_WORK1B] = pingpong
    active[:, S_WORK2] = routed
    active[:, S_COMPLAINT] = active[:, S_RESPONSE] = complaint
    active[:, S_REOPEN] = active[:, S_WORK2B] = active[:, S_CLOSE2] = reopen

    work = np.where(routed, WORK_TEAM[service], CC)
    team = np.empty((n, SLOTS), dtype=np.int64)
    team[:, S_INTAKE] = INTAKE_TEAM[channel]
    team[:, S_ACK] = -1
    team[:, [S_LOG, S_CHASE, S_CHASE2, S_REOPEN]] = CC
    team[:, S_INFO] = team[:, S_INFO_IN] = np.where(routed, BO, CC)
    team[:, [S_ASSESS, S_ASSESS2, S_RETURN]] = BO
    team[:, [S_COMPLAINT, S_RESPONSE]] = CO
    for s in (S_WORK1, S_WORK1B, S_WORK2, S_CLOSE, S_WORK2B, S_CLOSE2):
        team[:, s] = work

    act = np.zeros((n, SLOTS), dtype=np.int64)
    act[:, S_INTAKE] = cat.codes(INTAKE)[channel]
    act[:, S_CHASE] = act[:, S_CHASE2] = cat.codes(CHASE)[channel]
    named = ((S_ACK, "Acknowledgement sent"), (S_LOG, "Log request"),
             (S_INFO, "Request information"), (S_INFO_IN, "Information received"),
             (S_RETURN, "Review returned work"), (S_CLOSE, "Close request"),
             (S_CLOSE2, "Close request"), (S_COMPLAINT, "Complaint received"),
             (S_RESPONSE, "Complaint response sent"), (S_REOPEN, "Reopen request"))  # fmt: skip
    for s, name in named:
        act[:, s] = cat.code(name)
    fcr_code = cat.codes(tuple(s[4] for s in SERVICES))[service]
    if cat.pool is None:
        a_assess = np.full(n, cat.code("Assess request"))
        a_work1 = cat.codes(tuple(s[2] for s in SERVICES))[service]
        a_work2 = cat.codes(tuple(s[3] for s in SERVICES))[service]
    else:
        a_assess, a_work1, a_work2 = _role_codes(plan, rng, [assess, routed, routed], b)
    act[:, S_ASSESS] = act[:, S_ASSESS2] = a_assess
    act[:, S_WORK1] = act[:, S_WORK1B] = np.where(routed, a_work1, fcr_code)
    act[:, S_WORK2] = act[:, S_WORK2B] = a_work2

    # resources: a case mostly stays with one owner per team; planted repeats and redos
    known = team >= 0
    tk = np.where(known, team, 0)
    owner = TEAM_START + (rng.random((n, 5)) * TEAM_SIZE).astype(np.int64)
    anyone = TEAM_START[tk] + (rng.random((n, SLOTS)) * TEAM_SIZE[tk]).astype(np.int64)
    res = np.where(rng.random((n, SLOTS)) < 0.75, np.take_along_axis(owner, tk, axis=1), anyone)
    for s, of, same_p, u_col in ((S_ASSESS2, S_ASSESS, 0.5, 12), (S_WORK1B, S_WORK1, 0.5, 13),
                                 (S_WORK2B, S_WORK2, 0.4, 14)):  # fmt: skip
        res[:, s] = np.where(u[:, u_col] < same_p, res[:, of], res[:, s])
        for t in np.unique(team[:, of]):
            i = np.flatnonzero((team[:, of] == t) & (u[:, u_col] >= same_p))
            res[i, s] = _other(rng, res[i, of], int(t))
    res = np.where(known, res, -1)

    # waits: lognormal per slot, heavier across a hand-off
    handoff = np.zeros((n, SLOTS), dtype=bool)
    last = np.full(n, -1)
    for s in range(SLOTS):
        k = active[:, s] & known[:, s]
        handoff[:, s] = k & (last >= 0) & (team[:, s] != last)
        last = np.where(k, team[:, s], last)
    cross = handoff & ~_CUSTOMER_DRIVEN
    median = np.where(cross, HANDOFF_MEDIAN, _MEDIAN)
    sigma = np.where(cross, HANDOFF_SIGMA, _SIGMA)
    z = rng.standard_normal((n, SLOTS))
    wait = np.clip(median * np.exp(sigma * z), 60, 40 * DAY).astype(np.int64)
    jitter = (rng.random((n, SLOTS)) * 2 * HOUR).astype(np.int64)
    # ties: about 1% of cases get an event stamped with its predecessor's time
    tie_case = u[:, 15] < 0.01
    cand = np.array([S_ACK, S_LOG, S_WORK2, S_CLOSE])
    pick = cand[np.argmax(active[:, cand] + rng.random((n, cand.size)), axis=1)]
    tie = np.zeros((n, SLOTS), dtype=bool)
    tie[np.flatnonzero(tie_case), pick[tie_case]] = True

    # first contacts: uniform over the block's window, staffed channels in working hours
    w0 = plan.window(b)
    width = n * plan.block_seconds / BLOCK
    first = w0 + (rng.random(n) * width).astype(np.int64)
    redo = known[:, S_INTAKE] & ~in_hours(first)
    for _ in range(60):
        i = np.flatnonzero(redo)
        first[i] = w0 + (rng.random(i.size) * width).astype(np.int64)
        redo[i] = ~in_hours(first[i])
    gap = np.where(repeat, np.clip(rng.exponential(2.5 * DAY, n), HOUR, 10 * DAY),
                   16 * DAY + rng.exponential(40 * DAY, n)).astype(np.int64)  # fmt: skip
    ts = np.zeros((n, SLOTS), dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    for p in range(int(pos.max()) + 1):  # chain position by chain position
        i = np.flatnonzero(pos == p)
        now = first[i] if p == 0 else end[i - 1] + gap[i]
        for s in range(SLOTS):
            t = now + wait[i, s] * (s > 0)
            t = np.where(known[i, s], snap(t, jitter[i, s]), t)
            t = np.where(tie[i, s], now, t)
            ts[i, s] = t
            now = np.where(active[i, s], t, now)
        end[i] = now

    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(ts[:, S_INTAKE], kind="stable")] = np.arange(n)
    crank = np.empty(m, dtype=np.int64)
    crank[np.argsort(first[pos == 0], kind="stable")] = np.arange(m)
    return Block(case_no=b * BLOCK + rank + 1, customer_no=b * BLOCK + crank[cust] + 1,
                 service=service, channel=channel, repeat=repeat, tie=tie_case, active=active,
                 act=act, team=team, res=res, ts=ts)  # fmt: skip


def _handoffs(codes: Ints, known: Bools) -> tuple[Ints, Ints]:
    """Hand-offs and ping-pongs of each row's known-handler sequence (MEASURES.md)."""
    k = codes.shape[1]
    order = np.argsort(~known, axis=1, kind="stable")
    seq = np.take_along_axis(codes, order, axis=1)
    count = known.sum(axis=1)
    change = (seq[:, 1:] != seq[:, :-1]) & (np.arange(k - 1) < (count - 1)[:, None])
    starts = np.concatenate([(count > 0)[:, None], change], axis=1)
    runs = np.take_along_axis(seq, np.argsort(~starts, axis=1, kind="stable"), axis=1)
    nruns = starts.sum(axis=1)
    pp = (runs[:, 2:] == runs[:, :-2]) & (np.arange(k - 2) < (nruns - 2)[:, None])
    return change.sum(axis=1), pp.sum(axis=1)


def block_truth(block: Block, cat: Catalogue) -> dict[str, Any]:
    """Per-case truth of a block, computed from the slot matrices (slot order = event order)."""
    active, act, res = block.active, block.act, block.res
    n = active.shape[0]
    handoffs, pingpongs = _handoffs(block.team, active & (block.team >= 0))
    handoffs_res, _ = _handoffs(res, active & (res >= 0))
    rework = np.zeros(n, dtype=np.int64)
    redo = np.zeros(n, dtype=np.int64)
    for k in range(1, SLOTS):
        prev = np.full(n, -2)
        for j in range(k):  # the latest earlier occurrence wins
            prev = np.where(active[:, j] & (act[:, j] == act[:, k]), res[:, j], prev)
        again = active[:, k] & (prev != -2)
        rework += again
        redo += again & (prev != res[:, k])
    order = np.argsort(~active, axis=1, kind="stable")
    seq = np.take_along_axis(act, order, axis=1)
    events = active.sum(axis=1)
    loops = ((seq[:, 1:] == seq[:, :-1]) & (np.arange(SLOTS - 1) < (events - 1)[:, None])).sum(1)
    failure = (active & cat.failure[act]).any(axis=1)
    dirty = (active & cat.flags(DIRTY_ACTIVITIES)[act]).any(axis=1)
    # The designed journeys (journeymap.synthetic.journeys): intake, acknowledgement
    # maybe, then the first-contact step, or logging, assessment and the two work steps;
    # then the closure. Every other slot is a deviation of a known kind.
    routed = active[:, S_WORK2]
    skipped = routed & ~(active[:, S_LOG] & active[:, S_ASSESS])
    inserted = active[:, [S_INFO, S_CHASE, S_RETURN, S_COMPLAINT, S_REOPEN]].any(axis=1)
    repeated = active[:, [S_ASSESS2, S_CHASE2, S_WORK1B, S_WORK2B]].any(axis=1)
    value = ~failure & ~block.repeat
    demand = np.where(
        failure, "failure_activity", np.where(block.repeat, "repeat_contact", "value")
    )
    return {
        "events": events, "demand_type": demand, "failure_activity": failure,
        "repeat_contact": block.repeat, "handoffs": handoffs, "handoffs_resource": handoffs_res,
        "pingpongs": pingpongs, "rework_events": rework, "redo_events": redo,
        "self_loops": loops, "dirty": dirty, "tie": block.tie, "single_handler": handoffs == 0,
        "one_stop": (handoffs == 0) & (rework == 0) & value,
        "clean": (rework == 0) & (pingpongs == 0) & value & ~dirty,
        "follows_template": ~(skipped | inserted | repeated), "skipped_step": skipped,
        "inserted_step": inserted, "repeated_step": repeated,
    }  # fmt: skip
