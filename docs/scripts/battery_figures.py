"""Draw docs/img/battery_fade.png and the table of docs/batteries.md: fade per chemistry vs BLAST-Lite.

Run from the project root: ``.venv/bin/python docs/scripts/battery_figures.py [--docs-dir DIR]``
(needs the ``validation`` extra). Writes the figure and docs/batteries.md with its generated
block (SoH at 1, 3 and 5 years, new and second life, per chemistry) rewritten; the rest of the page is copied as committed.
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
YEARS = 5.0
AT_YEARS = np.array([1.0, 3.0, 5.0])
DUTIES = (
    ("storage: 1 EFC/d, 0.2C", 1.0, 0.2, 0.8, "tab:blue"),
    ("AI duty: 1 EFC/d, 0.5C", 1.0, 0.5, 0.8, "tab:orange"),
    ("AI duty: 2 EFC/d, 0.5C", 2.0, 0.5, 0.8, "tab:red"),
)
STARTS = (("new", 1.0), ("second life", 0.75))


def ours_curve(
    chem: str, soh0: float, efc_per_day: float, c_rate: float, dod: float
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly SoH path of our model for one chemistry from soh0 under a constant duty."""
    months = np.arange(0, int(12 * YEARS) + 1)
    soh = [soh0]
    for _ in months[1:]:
        step = b.fade_step(
            np.array([soh[-1]]),
            1,
            efc_per_day * 365 / 12,
            c_rate,
            dod,
            b.FADE_PARAMS_BY_CHEMISTRY[chem],
            second_life=soh0 < 1.0,
        )
        soh.append(float(step[0]))
    return months / 12.0, np.array(soh)


def draw(fig: Figure) -> list[tuple[str, str, str, np.ndarray, np.ndarray]]:
    """A 2 × 3 grid (new, second life × chemistry); returns (chemistry, start, duty, ours, BLAST)."""
    axes = fig.subplots(2, len(b.CHEMISTRIES), sharey="row", sharex=True)
    rows = []
    for row, (start, soh0) in enumerate(STARTS):
        for col, chem in enumerate(b.CHEMISTRIES):
            ax, model = axes[row][col], b.BLAST_MODEL_BY_CHEMISTRY[chem]
            for label, efc, c, dod, colour in DUTIES:
                t_o, s_o = ours_curve(chem, soh0, efc, c, dod)
                t_b, s_b = b.blast_lite_soh_from(model, soh0, YEARS + 0.05, efc, c, dod)
                ax.plot(t_o, s_o, color=colour, lw=2, label=f"powerstack, {label}")
                ax.plot(t_b, s_b, color=colour, lw=1.5, ls="--", label=f"BLAST-Lite, {label}")
                ours_at, ref_at = np.interp(AT_YEARS, t_o, s_o), np.interp(AT_YEARS, t_b, s_b)
                rows.append((chem, start, label, ours_at, ref_at))
            ax.set_title(f"{chem.upper()} {start} vs {model}", fontsize=8)
            ax.grid(alpha=0.3)
            if row == 1:
                ax.set_xlabel("years in service (25 °C)")
        axes[row][0].set_ylabel(f"SoH, {start}")
    axes[0][-1].legend(fontsize=6, loc="lower left")
    return rows


def _signed(x: float) -> str:
    """A difference with a typographic minus, as the page writes it."""
    return f"{x:+.3f}".replace("-", "\N{MINUS SIGN}")


def table(rows: Sequence[tuple[str, str, str, np.ndarray, np.ndarray]]) -> str:
    """The page's block: SoH at 1 / 3 / 5 years per chemistry and start, ours and BLAST-Lite's."""
    lines = [
        "| chemistry (BLAST-Lite model) | start | duty | powerstack | BLAST-Lite | diff at 5 yr |",
        "|---|---|---|---|---|---|",
    ]
    for chem, start, label, ours, ref in rows:
        fmt = lambda v: " / ".join(f"{x:.3f}" for x in v)  # noqa: E731
        model = b.BLAST_MODEL_BY_CHEMISTRY[chem]
        lines.append(
            f"| {chem} ({model}) | {start} | {label} | {fmt(ours)} | {fmt(ref)}"
            f" | {_signed(ours[-1] - ref[-1])} |"
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
    fig = Figure(figsize=(12, 6.4), layout="constrained")
    rows = draw(fig)
    save_png(fig, args.docs_dir / "img" / "battery_fade.png", dpi=120)
    write_spliced(DOCS / "batteries.md", args.docs_dir / "batteries.md", SCRIPT, table(rows))
    print(
        f"wrote {args.docs_dir / 'img' / 'battery_fade.png'} and {args.docs_dir / 'batteries.md'}"
    )


if __name__ == "__main__":
    main()
