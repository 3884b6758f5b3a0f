"""Draw docs/img/battery_fade.png: our fade curves against BLAST-Lite on the same duty cycles.

Run from the project root: ``.venv/bin/python docs/scripts/battery_figures.py`` (needs the
``validation`` extra). Also prints the comparison table used in docs/batteries.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from abm import batteries as b

OUT = Path(__file__).resolve().parents[1] / "img" / "battery_fade.png"
YEARS = 10.0
DUTIES = (
    ("storage: 1 EFC/d, 0.2C", 1.0, 0.2, 0.8, "tab:blue"),
    ("AI duty: 1 EFC/d, 0.5C", 1.0, 0.5, 0.8, "tab:orange"),
    ("AI duty: 2 EFC/d, 0.5C", 2.0, 0.5, 0.8, "tab:red"),
)
PANELS = (
    ("New LFP vs BLAST-Lite Lfp_Gr_250AhPrismatic", b.BLAST_NEW_LFP_MODEL, 1.0, False),
    (
        "Second life vs BLAST-Lite Lmo_Gr_NissanLeaf66Ah_2ndLife",
        b.BLAST_SECOND_LIFE_MODEL,
        0.70,
        True,
    ),
)


def ours_curve(
    soh0: float, second_life: bool, efc_per_day: float, c_rate: float, dod: float
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly SoH path of our model from soh0 under a constant duty."""
    months = np.arange(0, int(12 * YEARS) + 1)
    soh = [soh0]
    for _ in months[1:]:
        soh.append(
            float(
                b.fade_step(
                    np.array([soh[-1]]),
                    1,
                    efc_per_day * 365 / 12,
                    c_rate,
                    dod,
                    b.FadeParams(),
                    second_life=second_life,
                )[0]
            )
        )
    return months / 12.0, np.array(soh)


def main() -> None:
    """Draw both panels, save the PNG and print a markdown table of SoH at 1, 3, 5, 10 years."""
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    rows = []
    for ax, (title, model, soh0, second_life) in zip(axes, PANELS, strict=True):
        for label, efc, c, dod, colour in DUTIES:
            t_o, s_o = ours_curve(soh0, second_life, efc, c, dod)
            t_b, s_b = b.blast_lite_soh(model, YEARS + 0.05, efc, c, dod)
            ax.plot(t_o, s_o, color=colour, lw=2, label=f"powerstack, {label}")
            ax.plot(t_b, s_b, color=colour, lw=1.5, ls="--", label=f"BLAST-Lite, {label}")
            at = np.array([1.0, 3.0, 5.0, 10.0])
            rows.append((model, label, np.interp(at, t_o, s_o), np.interp(at, t_b, s_b)))
        ax.axhline(b.FadeParams().knee_soh, color="grey", lw=0.8, ls=":")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("years in service (25 °C, DoD 0.8)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("state of health (relative to new)")
    axes[0].set_ylim(0, 1.02)
    axes[1].legend(fontsize=7, loc="upper right")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=120)
    print("| model | duty | ours 1/3/5/10 yr | BLAST-Lite 1/3/5/10 yr | diff at 5 yr |")
    print("|---|---|---|---|---|")
    for model, label, ours, ref in rows:
        fmt = lambda v: " / ".join(f"{x:.3f}" for x in v)  # noqa: E731
        print(f"| {model} | {label} | {fmt(ours)} | {fmt(ref)} | {ours[2] - ref[2]:+.3f} |")


if __name__ == "__main__":
    main()
