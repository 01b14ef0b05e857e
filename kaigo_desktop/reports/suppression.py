"""秘匿処理 that holds across every table a report or export publishes together.

Counts of 1–4 people are shown as "<5" (primary suppression). Because the same figure appears in several
tables and tables add up (男女別 計 = 概要 参加者実人数 = 区市町村別 計 …), a hidden cell could still be worked
out by subtraction; so more cells are hidden as 「秘匿」 (complementary suppression, as τ-ARGUS/sdcTable do)
until no hidden cell — and no unpublished count of 1–4 people such as 参加者実人数 − 65歳以上 — can be
narrowed down to fewer than 5 possible values by the published figures.

How: `protect(build)` builds the tables twice. The first time every count of people is recorded with its
identity (`key`, the same key wherever the figure appears) and the relations "total = sum of parts";
`plan()` then decides the hidden cells; the second build shows them. The check is interval propagation over
the relations (a sound, cheap over-estimate of what linear algebra can learn); the tests confirm it with
linear programming (scipy's linprog) on generated data. Same input, same cells hidden.

Counts of places, gatherings, activities or promoters are never hidden; 0 is shown as 0 (an empty group is
not a person)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kaigo_desktop.domain.small_counts import THRESHOLD, is_small
from kaigo_desktop.reports.model import SECONDARY, SMALL

T = TypeVar("T")


@dataclass
class _Count:
    value: int
    shown: bool  # printed somewhere (else only implied by the relations, e.g. 参加者実人数 − 65歳以上)
    sensitive: bool  # a count of people whose value 1–4 must not be given away even when unpublished


@dataclass
class Suppressor:
    enabled: bool = True
    plan_hidden: frozenset | None = None  # the cells to hide (second build); None while recording
    # (table title, cell description, "<5" or 「秘匿」) in the order cells were shown hidden
    hidden: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[Hashable, _Count] = field(default_factory=dict)
    relations: list[tuple[Hashable, tuple[Hashable, ...]]] = field(default_factory=list)
    _cached_equations: list[dict[Hashable, int]] | None = field(default=None, repr=False)

    # ---- what the table builders call ----------------------------------------------------------

    def cell(self, table: str, label: str, value: Any, key: Hashable = None, *, shown: bool = True) -> Any:
        """A count of people printed in `table`; `key` names the figure wherever it appears."""
        key = (table, label) if key is None else key
        self._record(key, value, shown=shown)
        return self._shown(table, label, key, value)

    def group(self, table: str, cells: Sequence[tuple[str, Any]], total: tuple[str, Any] | None = None,
              keys: Sequence[Hashable] | None = None, total_key: Hashable = None) -> tuple[list[Any], Any]:
        """Counts that add up to a printed total (the total's key relates it to its other appearances)."""
        keys = list(keys) if keys is not None else [(table, label) for label, _ in cells]
        shown = [self.cell(table, label, value, key) for (label, value), key in zip(cells, keys)]
        if total is None:
            return shown, None
        total_key = (table, total[0]) if total_key is None else total_key
        shown_total = self.cell(table, total[0], total[1], total_key)
        # A part not known ("—") adds nothing to the total.
        self.relation(total_key, [key for key, (_, value) in zip(keys, cells) if isinstance(value, int)])
        return shown, shown_total

    def derived(self, table: str, label: str, value: Any, sources: Sequence[Any]) -> Any:
        """A figure computed from counts (a rate): hidden as 「秘匿」 when any of them is hidden."""
        if self.enabled and value is not None and any(s is SMALL or s is SECONDARY for s in sources):
            self.hidden.append((table, label, SECONDARY.text))
            return SECONDARY
        return value

    def unpublished(self, key: Hashable, value: int, *, sensitive: bool) -> None:
        """A count implied by the relations but printed nowhere (参加者実人数 − 65歳以上 …). A negative one
        (inconsistent input, flagged by 提出前チェック) is no count: its relation is left out."""
        if value >= 0:
            self._record(key, value, shown=False, sensitive=sensitive)

    def relation(self, total: Hashable, parts: Sequence[Hashable]) -> None:
        """total = sum of parts, between recorded counts."""
        if total not in self.counts or any(p not in self.counts for p in parts):
            return  # a figure not known (or not a count) relates nothing
        entry = (total, tuple(parts))
        if entry not in self.relations:
            self.relations.append(entry)

    # ---- deciding --------------------------------------------------------------------------------

    def plan(self) -> frozenset:
        """The cells to hide: 1–4 printed, then complementary cells until every hidden cell (and every
        unpublished 1–4) keeps at least THRESHOLD possible values."""
        if not self.enabled:
            return frozenset()
        hidden = {key for key, c in self.counts.items() if c.shown and is_small(c.value)}
        for _ in range(len(self.counts) + 1):
            risky = self._risky(hidden)
            if not risky:
                break
            choice = self._complement(risky[0], hidden)
            if choice is None:  # nothing left to hide around it (cannot happen with shown totals ≥ 5)
                break
            hidden.add(choice)
        return frozenset(hidden)

    def _needs_protection(self, key: Hashable, hidden: set) -> bool:
        c = self.counts[key]
        return key in hidden if c.shown else c.sensitive and is_small(c.value)

    def _risky(self, hidden: set) -> list[Hashable]:
        bounds = self._bounds(hidden)
        return [key for key in self.counts if self._needs_protection(key, hidden) and _narrow(bounds[key])]

    def _complement(self, target: Hashable, hidden: set) -> Hashable | None:
        """The printed cell to hide next for `target`: from the relations around it (widening the circle
        when they have none left), the smallest count that protects it, else the one that widens it most,
        else the smallest (hiding it brings the relations it belongs to into play)."""
        seen_relations: set[int] = set()
        frontier = {target}
        while frontier:
            around = [i for i, (total, parts) in enumerate(self.relations)
                      if i not in seen_relations and (total in frontier or frontier.intersection(parts))]
            if not around:
                return None
            seen_relations.update(around)
            members = [k for i in around for k in (self.relations[i][0], *self.relations[i][1])]
            candidates = sorted({k for k in members if k not in hidden and self.counts[k].shown
                                 and self.counts[k].value > 0},
                                key=lambda k: (self.counts[k].value, self._order(k)))
            lo, hi = self._bounds(hidden)[target]
            best, best_width = None, hi - lo
            for candidate in candidates:
                lo, hi = self._bounds(hidden | {candidate})[target]
                if not _narrow((lo, hi)):
                    return candidate
                if hi - lo > best_width:
                    best, best_width = candidate, hi - lo
            if best is not None:
                return best
            if candidates:  # none helps alone: hide the smallest, the relations beyond it come in next round
                return candidates[0]
            frontier = {k for k in members if k in hidden or not self.counts[k].shown}
        return None

    def _order(self, key: Hashable) -> int:
        return list(self.counts).index(key)

    def _bounds(self, hidden: set) -> dict[Hashable, tuple[float, float]]:
        """What the printed figures and the relations tell about each count: [low, high], by repeated
        propagation over the equations (every count ≥ 0). Never narrower than the true range."""
        lo = {k: (float(c.value) if c.shown and k not in hidden else 0.0) for k, c in self.counts.items()}
        hi = {k: (float(c.value) if c.shown and k not in hidden else math.inf) for k, c in self.counts.items()}
        equations = self._equations()
        using: dict[Hashable, list[int]] = {}
        for i, equation in enumerate(equations):
            for key in equation:
                using.setdefault(key, []).append(i)
        # Work list: an equation is looked at again only when one of its counts has moved.
        queue, queued = deque(range(len(equations))), set(range(len(equations)))
        budget = 100 * len(equations)  # bounds that creep by steps along a cycle stop here, still sound
        while queue and budget:
            budget -= 1
            i = queue.popleft()
            queued.discard(i)
            for key in _tighten(equations[i], lo, hi):
                for j in using[key]:
                    if j not in queued:
                        queue.append(j)
                        queued.add(j)
        return {k: (lo[k], hi[k]) for k in self.counts}

    def _equations(self) -> list[dict[Hashable, int]]:
        """Each relation as Σ coef·count = 0, and the sums and differences of two small relations that share
        a count (65歳以上 = 65～74歳 + 75歳以上 + … and 実人数 = 65歳未満 + 65～74歳 + 75歳以上 + 不明 together bound
        実人数 by 65歳以上, which neither does alone)."""
        if self._cached_equations is not None:
            return self._cached_equations
        base = [{total: 1, **{p: -1 for p in parts}} for total, parts in self.relations]
        equations, seen = list(base), {_canonical(e) for e in base}
        small = [e for e in base if len(e) <= _SMALL_RELATION]
        for _ in range(_COMBINING_ROUNDS):  # chains of up to 2**rounds small relations
            found = []
            for i, first in enumerate(small):
                for second in small[i + 1:]:
                    if not first.keys() & second.keys():
                        continue
                    for sign in (1, -1):
                        combined = dict(first)
                        for key, coef in second.items():
                            combined[key] = combined.get(key, 0) + sign * coef
                        combined = {k: c for k, c in combined.items() if c}
                        if (combined and len(combined) <= _SMALL_RELATION  # something cancelled, still small
                                and len(combined) < len(first) + len(second) and _canonical(combined) not in seen):
                            seen.add(_canonical(combined))
                            found.append(combined)
            equations += found
            small += found
            if not found:
                break
        self._cached_equations = equations
        return equations

    # ---- recording and showing -------------------------------------------------------------------

    def _record(self, key: Hashable, value: Any, *, shown: bool, sensitive: bool = True) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            return
        known = self.counts.get(key)
        if known is None:
            self.counts[key] = _Count(value, shown, sensitive)
            return
        if known.value != value:
            raise ValueError(f"秘匿処理: 同じ数 {key} が表によって異なります（{known.value} と {value}）")
        known.shown = known.shown or shown

    def _shown(self, table: str, label: str, key: Hashable, value: Any) -> Any:
        if not self.enabled or self.plan_hidden is None or key not in self.plan_hidden:
            return value
        mark = SMALL if is_small(value) else SECONDARY
        self.hidden.append((table, label, mark.text))
        return mark

    # ---- what the page says --------------------------------------------------------------------

    def notes_for(self, table: str) -> list[str]:
        """One line under a table listing exactly the cells hidden in it."""
        small = [label for t, label, mark in self.hidden if t == table and mark == SMALL.text]
        secondary = [label for t, label, mark in self.hidden if t == table and mark == SECONDARY.text]
        lines = []
        if small:
            lines.append(f"秘匿（1～4人を「<5」と表示）: {'、'.join(small)}")
        if secondary:
            lines.append(f"二次秘匿（ほかの表や合計から逆算できないよう「{SECONDARY.text}」と表示）: "
                         f"{'、'.join(secondary)}")
        return lines

    def statement(self) -> str:
        """The sentence for the top of the report."""
        if not self.enabled:
            return "なし（参加者の人数をすべてそのまま表示しています）。"
        if not self.hidden:
            return ("あり。参加者の人数（参加者実人数とその男女別・年齢別、延べ参加者数）が1～4人の欄を"
                    "「<5」と表示する設定ですが、該当する欄はありませんでした。")
        small = sum(1 for *_, mark in self.hidden if mark == SMALL.text)
        secondary = len(self.hidden) - small
        text = (f"あり。参加者の人数（参加者実人数とその男女別・年齢別、延べ参加者数）が1～4人の欄を"
                f"「<5」と表示しています（{small}欄）。0人はそのまま表示します。")
        if secondary:
            text += (f"ほかの表や合計から逆算できないよう、ほかに{secondary}欄を「{SECONDARY.text}」と"
                     "表示しています。")
        return text + "秘匿した欄は各表の下に記載しています。"


_SMALL_RELATION = 8  # relations of at most this many counts are also combined in pairs
_COMBINING_ROUNDS = 2


def _canonical(equation: dict[Hashable, int]) -> frozenset:
    sign = 1 if next(iter(sorted(equation.items(), key=repr)))[1] > 0 else -1
    return frozenset((k, sign * c) for k, c in equation.items())


def _tighten(equation: dict[Hashable, int], lo: dict, hi: dict) -> list[Hashable]:
    """One pass of Σ coef·x = 0 over the bounds: each x lies within what the others leave. Returns the
    counts whose bounds moved."""
    def term(key: Hashable, coef: int) -> tuple[float, float]:
        return (coef * lo[key], coef * hi[key]) if coef > 0 else (coef * hi[key], coef * lo[key])

    terms = {key: term(key, coef) for key, coef in equation.items()}
    low_finite = [t[0] for t in terms.values() if t[0] != -math.inf]
    high_finite = [t[1] for t in terms.values() if t[1] != math.inf]
    low_sum, high_sum = sum(low_finite), sum(high_finite)
    low_missing, high_missing = len(terms) - len(low_finite), len(terms) - len(high_finite)
    changed = []
    for key, coef in equation.items():
        t_low, t_high = terms[key]
        # the others' sum lies in [others_low, others_high]; coef·x = −(others)
        others_low = (-math.inf if low_missing - (t_low == -math.inf)
                      else low_sum - (t_low if t_low != -math.inf else 0))
        others_high = (math.inf if high_missing - (t_high == math.inf)
                       else high_sum - (t_high if t_high != math.inf else 0))
        low, high = sorted((-others_high / coef, -others_low / coef))
        if low > lo[key] + 1e-9:
            lo[key] = low
            changed.append(key)
        if high < hi[key] - 1e-9:
            hi[key] = high
            changed.append(key)
    return changed


def _narrow(bounds: tuple[float, float]) -> bool:
    """Fewer than THRESHOLD whole numbers fit in [low, high]."""
    lo, hi = bounds
    return hi - lo + 1 < THRESHOLD


def protect(build: Callable[[Suppressor], T], enabled: bool = True) -> tuple[T, Suppressor]:
    """Build the tables of one publication (a report, or an export of several) with 秘匿処理 that holds
    across all of them: once to learn every count and relation, once more to show the decided cells."""
    survey = Suppressor(enabled)
    build(survey)
    final = Suppressor(enabled, plan_hidden=survey.plan())
    return build(final), final
