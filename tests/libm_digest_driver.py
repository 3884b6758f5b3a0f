"""Print a SHA-256 of the model's special functions, sampled draws and synthetic grid (tests/test_libm_variants.py).

Run in a fresh process per C-library variant (GLIBC_TUNABLES): normals of 200,000 keys, grade
shares over a (mean, sd) grid, Weibull fits and a 2,000-bus synthetic grid's float attributes.
The second line is a control: math.exp and x ** y of floats, which do follow the variant.
"""

import hashlib
import math

import numpy as np

from abm.batteries.grading import grade_fractions, grade_mean_soh
from abm.batteries.retirements import weibull_from_mean_sd
from abm.grid.topology.synthetic import synthetic_grid
from abm.streams import Streams

h = hashlib.sha256()
s = Streams(7)
h.update(np.asarray(s.normal("project.size", np.arange(200_000))).tobytes())
for mean in np.linspace(0.6, 0.9, 7):
    for sd in np.linspace(0.02, 0.12, 6):
        h.update(grade_fractions(float(mean), float(sd)).tobytes())
        h.update(grade_mean_soh(float(mean), float(sd)).tobytes())
for m in (8.0, 12.0, 15.0):
    h.update(repr(weibull_from_mean_sd(m, 4.0)).encode())
g = synthetic_grid(
    n_buses=2000, n_territories=8, peak_load_mw=700_000.0, rng=np.random.default_rng(3)
)
for _, _, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
    h.update(repr(sorted((k, v) for k, v in d.items() if isinstance(v, float))).encode())
for _, d in sorted(g.nodes(data=True)):
    h.update(repr(sorted((k, v) for k, v in d.items() if isinstance(v, float))).encode())
print(h.hexdigest())
control = hashlib.sha256()
for i in range(1, 200_001):
    x = i / 200_001
    control.update(repr((math.exp(x * 7.0), x ** (x * 10.0), math.log(x))).encode())
print(control.hexdigest())
