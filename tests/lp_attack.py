"""The attacker's linear program over published counts (the tests' own attack, independent of the package).

A published count is a *figure*: the sum of some underlying cells (atoms). A reader who holds
every figure of a shared folder knows the shown ones exactly. What can the reader learn about a
hidden one? The smallest and largest value its sum can take over every non-negative assignment of
the cells that agrees with every shown figure: two linear programs per hidden figure, solved with
HiGHS (scipy.optimize.linprog), the audit tau-Argus and sdcMicro run on linked tables.

:func:`attack` returns that interval for every hidden figure. A hidden figure is *protected*
when its interval is at least `k` wide (the protection interval of the threshold rule): the
reader cannot tell a hidden count from a value `k` away. (The "<k" label tells the reader that a
small count lies in 1..k-1: that is what the page chose to say; the audit checks that the other
figures say nothing more precise.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from typing import Literal

Status = Literal["shown", "small", "withheld"]

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Figure:
    """One published count: `key` names it, `cells` are the atoms it sums, `status` is how the page
    shows it; `value` is the number shown (None for a hidden figure in an audit from the pages)."""

    key: str
    cells: frozenset[str]
    status: Status
    value: int | None = None


@dataclass(frozen=True)
class Interval:
    """What a reader of every figure can tell about one hidden figure."""

    key: str
    status: Status
    low: float
    high: float
    protected: bool


def _matrix(figures: Sequence[Figure], atoms: Mapping[str, int]) -> csr_matrix:
    rows, cols = [], []
    for i, f in enumerate(figures):
        for cell in f.cells:
            rows.append(i)
            cols.append(atoms[cell])
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(figures), len(atoms)))


def _consistent(figures: Iterable[Figure]) -> list[Figure]:
    """One figure per distinct cell set: a count printed twice is one fact. Two figures with the
    same cells but different statuses mean the pages disagree: the shown one wins (the reader has it)."""
    by_cells: dict[frozenset[str], Figure] = {}
    for f in figures:
        seen = by_cells.get(f.cells)
        if seen is None or (seen.status != "shown" and f.status == "shown"):
            by_cells[f.cells] = f
    return list(by_cells.values())


class ReaderProgram:
    """The reader's feasible set for one set of figures: x >= 0 over the atoms, shown figures exact."""

    def __init__(self, figures: Sequence[Figure], *, k: int) -> None:
        self.figures = _consistent(figures)
        self.k = k
        self.atoms = {cell: i for i, cell in enumerate(sorted({c for f in self.figures for c in f.cells}))}
        self.shown = [f for f in self.figures if f.status == "shown"]
        self.a_eq = _matrix(self.shown, self.atoms) if self.shown else None
        self.b_eq = np.array([float(f.value or 0) for f in self.shown]) if self.shown else None

    def objective(self, f: Figure) -> np.ndarray:
        c = np.zeros(len(self.atoms))
        for cell in f.cells:
            c[self.atoms[cell]] = 1.0
        return c

    def optimum(self, c: np.ndarray) -> tuple[float, np.ndarray | None]:
        """min c·x and the equality duals (None when unbounded below)."""
        res = linprog(c, A_eq=self.a_eq, b_eq=self.b_eq, bounds=(0, None), method="highs")
        if res.status == 3:
            return -math.inf, None
        if res.status != 0:
            raise RuntimeError(f"audit: the published figures are inconsistent ({res.message})")
        return float(res.fun), None

    def interval(self, f: Figure) -> Interval:
        c = self.objective(f)
        low, _ = self.optimum(c)
        high = -self.optimum(-c)[0]
        return Interval(f.key, f.status, low, high, high - low >= self.k - TOLERANCE)


def attack(figures: Iterable[Figure], *, k: int) -> list[Interval]:
    """Every hidden figure's reachable interval, given all figures (shown ones with their value)."""
    figures = list(figures)
    program = ReaderProgram(figures, k=k)
    hidden = {f.cells: f for f in program.figures if f.status != "shown"}
    return [program.interval(hidden.get(f.cells, f)) for f in figures if f.status != "shown"]
