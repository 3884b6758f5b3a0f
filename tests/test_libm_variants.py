"""The same bytes whatever version of exp, log and pow the C library picks, and a guard that keeps it so.

glibc runs an FMA or a plain `exp`, `log`, `pow` and `sin` by CPU, and they differ in the last
bit for some inputs; scipy's `ndtri`, `gamma` and `betainc` and numpy's `Generator.lognormal`,
`normal`, `beta` and `poisson` call them. The model uses abm.numerics.special and
abm.numerics.variates instead, and Python-float powers and `math` functions go through
abm.numerics.elementary. Before, the driver's digest changed with the variant (measured).
"""

from __future__ import annotations

import ast
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special as scipy_special

from abm.numerics import special, variates

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "libm_digest_driver.py"
NO_FMA = "glibc.cpu.hwcaps=-AVX2,-FMA"


def _digest(tunables: str | None) -> list[str]:
    """The driver's two digest lines in a fresh process, with GLIBC_TUNABLES set or unset."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GLIBC_TUNABLES", None)
    if tunables:
        env["GLIBC_TUNABLES"] = tunables
    done = subprocess.run(
        [sys.executable, str(DRIVER)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="GLIBC_TUNABLES is glibc's")
def test_same_bytes_with_and_without_glibc_fma_functions():
    """The model's numerics give one digest whether glibc runs its FMA libm or the plain one."""
    fma, plain = _digest(None), _digest(NO_FMA)
    if fma[1] == plain[1]:
        pytest.skip("the C library's exp/log/pow do not change with GLIBC_TUNABLES here")
    assert fma[0] == plain[0]


# --------------------------------------------------------------------------- accuracy


def test_ndtri_agrees_with_scipy_to_the_last_bits():
    u = np.concatenate(
        [
            np.random.default_rng(5).random(50_000),
            np.logspace(-300, -1, 500),
            1.0 - np.logspace(-16, -1, 200),
            [0.075, 0.5, 0.925],
        ]
    )
    ours, ref = special.ndtri(u), scipy_special.ndtri(u)
    assert np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-300)) < 4e-15
    assert special.ndtri(0.0) == -math.inf and special.ndtri(1.0) == math.inf
    assert math.isnan(special.ndtri(1.5)) and np.isnan(special.ndtri(np.array([-0.1]))[0])


def test_ndtri_scalar_and_array_give_the_same_bytes():
    u = np.random.default_rng(6).random(2_000)
    assert [special.ndtri(float(v)) for v in u] == special.ndtri(u).tolist()


def test_lgamma_gamma_and_betainc_agree_with_the_references():
    xs = np.concatenate([np.linspace(0.01, 60.0, 2_000), [0.5, 1.0, 2.0, 1e-5]])
    assert max(abs(special.lgamma(float(x)) - math.lgamma(x)) for x in xs) < 1e-12
    assert max(abs(special.gamma(float(x)) / math.gamma(x) - 1) for x in xs) < 1e-12
    assert special.gamma(5.0) == pytest.approx(24.0, rel=1e-14)
    grid = np.linspace(0.0, 1.0, 501)
    for a, b in [(21.2, 7.1), (22.2, 7.1), (0.5, 0.5), (2.0, 2.0), (100.0, 30.0), (5.0, 0.7)]:
        assert (
            np.max(np.abs(special.betainc(a, b, grid) - scipy_special.betainc(a, b, grid))) < 1e-12
        )
    with pytest.raises(ValueError, match="a, b > 0"):
        special.betainc(0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="x > 0"):
        special.lgamma(-1.0)


def test_variates_have_their_distributions():
    rng = np.random.default_rng(11)
    z = variates.normal(rng, 2.0, 3.0, 200_000)
    assert abs(z.mean() - 2.0) < 0.03 and abs(z.std() - 3.0) < 0.03
    logs = np.log(variates.lognormal(rng, 0.5, 0.4, 200_000))
    assert abs(logs.mean() - 0.5) < 0.01 and abs(logs.std() - 0.4) < 0.01
    b = variates.beta_2_2(rng, 200_000)  # Beta(2, 2): mean 1/2, variance 1/20
    assert abs(b.mean() - 0.5) < 0.005 and abs(b.var() - 0.05) < 0.002
    for mean in (0.3, 7.0, 480.0, 2_600.0):  # 2,600 is drawn in six pieces
        k = np.array([variates.poisson(rng, mean) for _ in range(4_000)])
        assert abs(k.mean() - mean) < 5 * math.sqrt(mean / 4_000) and abs(k.var() / mean - 1) < 0.1
    assert variates.poisson(rng, 0.0) == 0
    with pytest.raises(ValueError, match="finite mean"):
        variates.poisson(rng, math.inf)


def test_a_draw_depends_only_on_its_stream():
    a = variates.lognormal(np.random.default_rng(3), 0.0, 0.6, 50)
    b = variates.lognormal(np.random.default_rng(3), 0.0, 0.6, 80)[:50]
    assert a.tobytes() == b.tobytes()


# --------------------------------------------------------------------------- the guard

#: `math` functions that call the C library's transcendental code (sqrt is exactly rounded).
LIBM = {
    "exp", "expm1", "exp2", "log", "log1p", "log2", "log10", "pow", "sin", "cos", "tan", "asin",
    "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "lgamma",
    "gamma", "erf", "erfc", "cbrt",
}  # fmt: skip
#: numpy Generator distributions that transform uniforms with libm (random, integers,
#: choice, permutation and uniform are arithmetic only).
GENERATOR_LIBM = {
    "lognormal", "poisson", "beta", "gamma", "exponential", "binomial", "weibull",
    "standard_normal", "standard_exponential", "standard_gamma", "standard_t", "multinomial",
    "negative_binomial", "geometric", "dirichlet", "laplace", "logistic", "gumbel", "pareto",
    "rayleigh", "triangular", "vonmises", "wald", "zipf", "hypergeometric", "chisquare",
    "noncentral_chisquare", "noncentral_f", "multivariate_normal", "logseries",
}  # fmt: skip
#: Lines that may still reach libm, each with why no run output depends on its last bit.
ALLOWED = {
    ("abm/metrics/paired.py", "scipy.stats"): "the t quantile of a reported 95 % interval",
    ("abm/calibration/sampling.py", "scipy.stats"): "qmc's Latin hypercube: uniforms and sorts",
    ("abm/sweeps/designs.py", "scipy.stats"): "qmc's designs: uniforms, sorts and Sobol bits",
}


def _exact_power(node: ast.BinOp) -> bool:
    """Constants (folded once, `2.0**-53`) or an int to an int count (`2 ** len(levers)`)."""
    left, right = node.left, node.right
    if isinstance(left, ast.Constant) and isinstance(right, ast.Constant | ast.UnaryOp):
        return True
    counted = isinstance(right, ast.Call) and getattr(right.func, "id", "") == "len"
    return isinstance(left, ast.Constant) and type(left.value) is int and counted


def _is_generator(owner: ast.expr) -> bool:
    """Whether a call's owner may be a numpy Generator: not our Streams, variates or special."""
    text = ast.unparse(owner)
    return not (text.endswith("streams") or text in ("variates", "special"))


def _node_use(node: ast.AST) -> str | None:
    """What reaches libm in one syntax node, or None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return None if _exact_power(node) else "**"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner, attr = node.func.value, node.func.attr
        if isinstance(owner, ast.Name) and owner.id == "math":
            return f"math.{attr}" if attr in LIBM else None
        if _is_generator(owner) and (attr in GENERATOR_LIBM or attr == "normal"):
            return f".{attr}("
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "pow":
        return "pow("
    if isinstance(node, ast.ImportFrom | ast.Import):
        module = getattr(node, "module", None)
        names = [f"{module}.{a.name}" if module else a.name for a in node.names]
        for name in names:
            for banned in ("scipy.special", "scipy.stats"):
                if name.startswith(banned):
                    return banned
    return None


def _libm_uses(path: Path) -> set[tuple[str, str]]:
    """(file, what) for each libm-reaching construct in one module ("what at line n")."""
    rel = path.relative_to(ROOT).as_posix()
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        what = _node_use(node)
        if what:
            line = "" if what.startswith("scipy") else f" at line {node.lineno}"
            found.add((rel, what + line))
    return found


def test_no_libm_reaching_call_in_the_model():
    """Outside abm/numerics no `**` of floats, `math.exp`-like call, scipy.special or libm-based
    Generator draw: each would make a run's bytes depend on the C library's variant."""
    found = set()
    for path in sorted((ROOT / "abm").rglob("*.py")):
        if not path.relative_to(ROOT).as_posix().startswith("abm/numerics/"):
            found |= _libm_uses(path)
    unexplained = sorted(found - set(ALLOWED))
    assert not unexplained, (
        "use abm.numerics.elementary (power, exp, log ...), special (ndtri, gamma, betainc) or "
        f"variates (normal, lognormal, poisson), or add to ALLOWED with a reason: {unexplained}"
    )
    assert not set(ALLOWED) - found, f"ALLOWED lists uses that are gone: {set(ALLOWED) - found}"


def test_the_guard_sees_what_it_forbids(tmp_path):
    sample = ROOT / "abm" / "_guard_sample_for_test.py"
    sample.write_text(
        "import math\nfrom scipy.special import ndtri\n"
        "def f(x, k, rng):\n    return x ** k + math.exp(x) + rng.lognormal(0, 1) + 2 ** 10\n"
    )
    try:
        got = {what.split(" at ")[0] for _, what in _libm_uses(sample)}
    finally:
        sample.unlink()
    assert got == {"**", "math.exp", ".lognormal(", "scipy.special"}
