"""The 秘匿処理 auditor (tests only): what an outsider can learn about each hidden cell from everything a
report or export publishes together, by linear programming (the τ-ARGUS / sdcTable audit).

It reads the published tables (TableData rows, or the sheets of an xlsx read back), writes down on its own
the relations a reader knows (a table's parts add up to its 計, the same figure printed in several tables,
参加者実人数 = 65歳以上 + the rest, a printed 参加率 bounds 65歳以上 given the printed population), and for each
hidden cell — and each unpublished count of 1–4 people, such as 参加者実人数 − 65歳以上 — solves min and max
with scipy.optimize.linprog (every unknown ≥ 0). A cell is protected when at least 5 values stay possible."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy.optimize import linprog

from kaigo_desktop.reports.model import Hidden

HIDDEN_TEXTS = ("<5", "秘匿", "x")
NEEDED = 5


def is_hidden(value: Any) -> bool:
    return isinstance(value, Hidden) or (isinstance(value, str) and value in HIDDEN_TEXTS)


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


@dataclass
class Audit:
    known: dict[str, float] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)  # printed as hidden somewhere
    unknown: set[str] = field(default_factory=set)  # printed nowhere (or "—")
    sensitive: dict[str, int] = field(default_factory=dict)  # unpublished counts of people with their value
    equalities: list[list[tuple[float, str]]] = field(default_factory=list)  # Σ coef·figure = 0
    at_most: list[tuple[list[tuple[float, str]], float]] = field(default_factory=list)  # Σ coef·figure ≤ b

    def figure(self, name: str, cell: Any) -> str:
        value = number(cell)
        if value is not None:
            self.known[name] = value
        elif is_hidden(cell):
            self.hidden.add(name)
        else:
            self.unknown.add(name)
        return name

    def total(self, total: str, parts: Iterable[str]) -> None:
        self.equalities.append([(1.0, total)] + [(-1.0, p) for p in parts])

    def rest(self, whole: str, part: str, true_value: int | None = None) -> None:
        """whole = part + an unpublished rest ≥ 0; the rest is a count of people when true_value is given."""
        rest = f"{whole} − {part}"
        self.unknown.add(rest)
        if true_value is not None:
            self.sensitive[rest] = true_value
        self.total(whole, [part, rest])

    def rate(self, members: str, rate_cell: Any, population_cell: Any) -> None:
        """A printed 参加率 (one decimal, %) and population pin 65歳以上 to an interval."""
        rate, population = number(rate_cell), number(population_cell)
        if rate is None or population is None:
            return
        self.at_most.append(([(1.0, members)], population * (rate + 0.05) / 100))
        self.at_most.append(([(-1.0, members)], -population * (rate - 0.05) / 100))

    # ---- solving ---------------------------------------------------------------------------------

    def ranges(self) -> dict[str, tuple[float, float]]:
        """min and max of every hidden cell and every unpublished 1–4 count of people."""
        variables = sorted((self.hidden | self.unknown | set(self.sensitive)) - set(self.known))
        index = {name: i for i, name in enumerate(variables)}

        def row(terms: Sequence[tuple[float, str]]) -> tuple[list[float], float]:
            coefficients, constant = [0.0] * len(variables), 0.0
            for coef, name in terms:
                if name in self.known:
                    constant += coef * self.known[name]
                else:
                    coefficients[index[name]] += coef
            return coefficients, constant

        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        for terms in self.equalities:
            coefficients, constant = row(terms)
            if any(coefficients):
                a_eq.append(coefficients)
                b_eq.append(-constant)
            else:
                assert abs(constant) < 1e-6, f"published figures disagree: {terms}"
        for terms, bound in self.at_most:
            coefficients, constant = row(terms)
            if any(coefficients):
                a_ub.append(coefficients)
                b_ub.append(bound - constant)
        targets = sorted(self.hidden) + sorted(k for k, v in self.sensitive.items() if 0 < v < NEEDED)
        result = {}
        for name in targets:
            if name in self.known:  # hidden in one table, printed in another
                result[name] = (self.known[name], self.known[name])
                continue
            bounds = []
            for sign in (1.0, -1.0):
                objective = [0.0] * len(variables)
                objective[index[name]] = sign
                solved = linprog(objective, A_ub=a_ub or None, b_ub=b_ub or None, A_eq=a_eq or None,
                                 b_eq=b_eq or None, bounds=(0, None), method="highs")
                if solved.status == 3:  # unbounded
                    bounds.append(-math.inf if sign > 0 else math.inf)
                else:
                    assert solved.status == 0, solved.message
                    bounds.append(sign * solved.fun)
            result[name] = (bounds[0], bounds[1])
        return result

    def exposed(self) -> dict[str, tuple[float, float]]:
        """The cells an outsider narrows to fewer than 5 whole numbers."""
        exposed = {}
        for name, (low, high) in self.ranges().items():
            values = math.inf if math.isinf(high) else math.floor(high + 1e-6) - math.ceil(low - 1e-6) + 1
            if values < NEEDED:
                exposed[name] = (low, high)
        return exposed


# ---- report 1's tables, as a reader sees them ------------------------------------------------------

def by_label(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    return {str(row[0]): row[1] for row in rows if row and row[0] is not None}


def audit_submission(tables: Mapping[str, Sequence[Sequence[Any]]], scope: str,
                     rests: Mapping[str, int]) -> Audit:
    """The relations of report 1's tables (key → rows). `scope` names the report's scope; `rests` holds the
    true 参加者実人数 − 65歳以上 by scope (the report's and each 区市町村's), the counts printed nowhere."""
    audit = Audit()
    summary = by_label(tables["概要"])
    members = audit.figure(f"{scope} 参加者実人数", summary["参加者実人数（注8）"])
    older = audit.figure(f"{scope} 65歳以上", summary["参加者実人数（65歳以上）（注9）"])
    attendance = audit.figure(f"{scope} 延べ参加者数", summary["延べ参加者数（注7）"])
    audit.rest(members, older, rests.get(scope))
    audit.rate(older, summary["参加率（注10）"], summary["65歳以上人口"])
    weekly = audit.figure(f"{scope} 週1回以上65歳以上", None)
    audit.rest(older, weekly)
    audit.rate(weekly, summary["週1回以上活動に参加している人の率（注12）"], summary["65歳以上人口"])
    for key, figure in (("参加者実人数（男女別）", members), ("参加者実人数（年齢別）", members),
                        ("月別延べ参加者数", attendance)):
        rows = tables[key]
        parts = [audit.figure(f"{scope} {key} {row[0]}", row[1]) for row in rows[:-1]]
        audit.figure(figure, rows[-1][1])  # the 計 is the same figure as 概要's
        audit.total(figure, parts)
    ages = by_label(tables["参加者実人数（年齢別）"])
    if "65～74歳" in ages:  # 65歳以上 ≥ 65～74歳 + 75歳以上 (places without a breakdown count whole)
        unsplit = audit.figure(f"{scope} 内訳のない65歳以上", None)
        audit.total(older, [f"{scope} 参加者実人数（年齢別） 65～74歳", f"{scope} 参加者実人数（年齢別） 75歳以上", unsplit])
    survey = by_label(tables["調査対象の参加者"])
    survey_members = audit.figure(f"{scope} 調査対象 参加者実人数", survey["参加者実人数"])
    survey_older = audit.figure(f"{scope} 調査対象 65歳以上", survey["参加者実人数（65歳以上）"])
    audit.rest(members, survey_members)
    audit.rest(older, survey_older)
    audit.rest(survey_members, survey_older)
    if "区市町村別" in tables:
        rows = tables["区市町村別"]
        columns = {5: attendance, 6: members, 7: older}
        body = [row for row in rows[:-1] if isinstance(row[2], (int, float))]  # データなし rows print no figure
        for column, figure in columns.items():
            audit.figure(figure, rows[-1][column])
            audit.total(figure, [audit.figure(f"{row[0]} {figure.split(' ', 1)[1]}", row[column]) for row in body])
        for row in body:
            code = str(row[0])
            audit.rest(f"{code} 参加者実人数", f"{code} 65歳以上", rests.get(code))
            audit.rate(f"{code} 65歳以上", row[9], row[8])
    return audit
