"""abm.numerics: the BLAS-free solver and dot products, and guards against BLAS and CPU-picked ufuncs creeping back.

The guard reads abm/ for the calls that reach BLAS or LAPACK (``np.dot``, ``.dot(``, ``@``,
``np.linalg``, ``scipy.linalg``, ``splu``, ``einsum``, ...); every hit must be in ALLOWED with
the reason it is BLAS-free or feeds nothing a run publishes.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from abm.errors import InputError
from abm.numerics import SparseLDL, exact_dot, weights_dot

ROOT = Path(__file__).resolve().parents[1]

BLAS_CALLS = re.compile(
    r"np\.dot\(|\.dot\(|np\.inner\(|np\.vdot\(|np\.matmul\(|tensordot|einsum|np\.linalg\."
    r"|scipy\.linalg|from scipy import linalg|splu|spsolve|cholesky|lstsq|\s@\s|@="
)

#: (file, text of the line) -> why it is allowed.
ALLOWED = {
    ("abm/grid/flow.py", "self._branch_b: sp.csr_matrix = (sp.diags(self.b_pu) @ self.incidence).tocsr()"):
        "sparse @ sparse: scipy's sparsetools, no BLAS",
    ("abm/grid/flow.py", "b_bus = (self.incidence.T @ self._branch_b).tocsc()"):
        "sparse @ sparse: scipy's sparsetools, no BLAS",
    ("abm/grid/flow.py", "return (self._branch_b @ self.angles_rad(injection_mw)) * self.base_mva"):
        "sparse @ dense: sparsetools csr_matvec(s), a fixed loop",
    ("abm/grid/flow.py", "return self._branch_b @ self._solve(rhs)"):
        "sparse @ dense: sparsetools csr_matvecs, a fixed loop",
    ("abm/markets/power.py", "return self._bf @ theta_rad"):
        "sparse @ dense: sparsetools csr_matvec, a fixed loop",
    ("abm/markets/power.py", "flow = self._bf @ x[2 * n : 3 * n]"):
        "sparse @ dense: sparsetools csr_matvec, a fixed loop",
    ("abm/grid/topology/synthetic.py", "length = np.linalg.norm(xy[tri[:, 0]] - xy[tri[:, 1]], axis=1)"):
        "norm along an axis is sqrt(add.reduce(x * x)), no BLAS (only axis=None calls dot)",
    ("abm/grid/topology/synthetic.py", "straight = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1)"):
        "norm along an axis: no BLAS",
    ("abm/grid/topology/territories.py", "dist = np.linalg.norm(xy - xy[first], axis=1)"):
        "norm along an axis: no BLAS",
    ("abm/grid/topology/territories.py", "dist = np.minimum(dist, np.linalg.norm(xy - xy[nxt], axis=1))"):
        "norm along an axis: no BLAS",
    ("abm/grid/topology/territories.py", "pick = int(rest[np.argmin(np.linalg.norm(points[rest] - centre, axis=1))])"):
        "norm along an axis: no BLAS",
}  # fmt: skip


def _code(line: str) -> str:
    """A line without its comment and docstring-ish text (a crude but sufficient cut)."""
    return line.split("#", 1)[0]


#: numpy ufuncs whose float64 kernel numpy picks by CPU feature (numpy's own AVX-512 code or
#: Intel SVML against the C library's elsewhere): abm.numerics.elementary has exp, expm1, log,
#: log1p, power, sin and cos; sqrt and the arithmetic ufuncs are exactly rounded everywhere.
SIMD_UFUNCS = re.compile(
    r"np\.(exp|exp2|expm1|log|log2|log10|log1p|power|float_power|sin|cos|tan|arcsin|arccos"
    r"|arctan|arctan2|sinh|cosh|tanh|arcsinh|arccosh|arctanh|cbrt|hypot|logaddexp)\("
)


def _code_lines(
    pattern: re.Pattern[str], folders: tuple[str, ...] = ("abm",)
) -> set[tuple[str, str]]:
    """(file, line) of every code line in `folders` outside abm/numerics that matches `pattern`."""
    found = set()
    for path in sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("abm/numerics/"):
            continue  # the package that replaces BLAS describes it in its docstrings
        in_doc = False
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.count('"""') == 1:
                in_doc = not in_doc
                continue
            if in_doc or stripped.startswith(('"""', "#")):
                continue
            if pattern.search(_code(line)):
                found.add((rel, stripped))
    return found


def test_no_simd_dispatched_ufunc_in_the_model():
    """`np.exp` and friends round differently on AVX-512 CPUs; the model and the generators of
    its docs pages (which must regenerate byte for byte on any machine) use elementary's."""
    found = sorted(_code_lines(SIMD_UFUNCS, ("abm", "docs/scripts")))
    assert not found, f"use abm.numerics.elementary instead of numpy's ufunc: {found}"


def test_no_blas_call_outside_the_allow_list():
    found = _code_lines(BLAS_CALLS)
    unexplained = sorted(found - set(ALLOWED))
    assert not unexplained, (
        "BLAS on a path that may feed a decision or an output; use abm.numerics "
        f"(exact_dot, weights_dot, SparseLDL) or add the line to ALLOWED with a reason: {unexplained}"
    )
    stale = sorted(set(ALLOWED) - found)
    assert not stale, f"ALLOWED lists lines that are gone: {stale}"


def _laplacian_reduced(n: int, seed: int) -> sp.csc_matrix:
    """A connected random weighted graph's Laplacian without its first row and column (SPD)."""
    rng = np.random.default_rng(seed)
    edges = [(i, int(rng.integers(i))) for i in range(1, n)]  # a random tree
    edges += [tuple(rng.choice(n, 2, replace=False)) for _ in range(n)]  # and some loops
    a, b = np.array(edges).T
    w = rng.uniform(0.1, 50.0, size=len(edges))
    lap = sp.csr_matrix((np.r_[w, w, -w, -w], (np.r_[a, b, a, b], np.r_[a, b, b, a])), (n, n))
    return lap[1:, 1:].tocsc()


@pytest.mark.parametrize("n", [2, 30, 400])
def test_ldl_solves_like_superlu(n):
    matrix = _laplacian_reduced(n, n)
    rhs = np.random.default_rng(0).normal(size=(n - 1, 5))
    x = SparseLDL(matrix).solve(rhs)
    np.testing.assert_allclose(x, splu(matrix).solve(rhs), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(matrix @ x, rhs, atol=1e-9)


def test_ldl_column_bytes_do_not_depend_on_the_block():
    matrix = _laplacian_reduced(300, 1)
    rhs = np.random.default_rng(1).normal(size=(299, 9))
    ldl = SparseLDL(matrix)
    whole = ldl.solve(rhs)
    for j in range(rhs.shape[1]):
        assert ldl.solve(rhs[:, j]).tobytes() == whole[:, j].tobytes()


def test_ldl_refuses_a_singular_or_indefinite_matrix():
    lap = sp.csc_matrix(np.array([[1.0, -1.0], [-1.0, 1.0]]))  # a Laplacian keeps its null space
    with pytest.raises(InputError, match="singular or not positive definite"):
        SparseLDL(lap)
    with pytest.raises(InputError, match="singular or not positive definite"):
        SparseLDL(sp.diags([1.0, -2.0]))
    with pytest.raises(InputError, match="square"):
        SparseLDL(sp.csc_matrix(np.ones((2, 3))))


def test_exact_dot_is_correctly_rounded():
    a = np.array([1e16, 1.0, -1e16, 1.0])
    assert exact_dot(a, np.ones(4)) == 2.0  # a naive left-to-right sum gives 1.0
    rng = np.random.default_rng(2)
    u, v = rng.normal(size=50), rng.normal(size=50)
    assert exact_dot(u, v) == math.fsum(float(x) * float(y) for x, y in zip(u, v, strict=True))


def test_weights_dot_matches_the_matrix_product():
    rng = np.random.default_rng(3)
    w, m = rng.uniform(size=40), rng.uniform(size=(40, 7))
    np.testing.assert_allclose(weights_dot(w, m), w @ m, rtol=1e-13)
