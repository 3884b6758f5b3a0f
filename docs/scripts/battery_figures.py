"""Draw docs/img/battery_fade.png and the table of docs/batteries.md: our fade against BLAST-Lite.

Run from the project root: ``.venv/bin/python docs/scripts/battery_figures.py [--docs-dir DIR]``
(needs the ``validation`` extra). Writes the figure and docs/batteries.md with its generated
block (SoH at 1, 3, 5 and 10 years) rewritten; the rest of the page is copied as committed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from figure_output import reset_style, save_png
from matplotlib.figure import Figure
from page_blocks import write_spliced

from abm import batteries as b

DOCS = Path(__file__).resolve().parents[1]
SCRIPT = "docs/scripts/battery_figures.py"
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


def draw(fig: Figure) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """Both panels; returns (model, duty, ours, BLAST-Lite) SoH at 1, 3, 5 and 10 years."""
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
    return rows


def _signed(x: float) -> str:
    """A difference with a typographic minus, as the page writes it."""
    return f"{x:+.3f}".replace("-", "\N{MINUS SIGN}")


def table(rows: Sequence[tuple[str, str, np.ndarray, np.ndarray]]) -> str:
    """The page's block: SoH relative to new at 1 / 3 / 5 / 10 years, ours and BLAST-Lite's."""
    lines = [
        "| BLAST-Lite model | duty | powerstack | BLAST-Lite | diff at 5 yr |",
        "|---|---|---|---|---|",
    ]
    for model, label, ours, ref in rows:
        fmt = lambda v: " / ".join(f"{x:.3f}" for x in v)  # noqa: E731
        lines.append(
            f"| {model} | {label} | {fmt(ours)} | {fmt(ref)} | {_signed(ours[2] - ref[2])} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Draw the figure into DIR/img/ and write DIR/batteries.md with the table block rewritten."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--docs-dir", type=Path, default=DOCS, help="where batteries.md and img/ go"
    )
    args = parser.parse_args(argv)
    reset_style()
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    rows = draw(fig)
    save_png(fig, args.docs_dir / "img" / "battery_fade.png", dpi=120)
    write_spliced(DOCS / "batteries.md", args.docs_dir / "batteries.md", SCRIPT, table(rows))
    print(
        f"wrote {args.docs_dir / 'img' / 'battery_fade.png'} and {args.docs_dir / 'batteries.md'}"
    )


if __name__ == "__main__":
    main()
