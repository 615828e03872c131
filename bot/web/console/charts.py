"""Bar charts of the analytics page as SVG pictures (matplotlib, no JavaScript). The page shows
the same figures in an fr-table next to each chart, for screen readers and for copying."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

_lock = threading.Lock()
"""pyplot keeps global state: one chart at a time."""

BLUE_FRANCE = "#000091"


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float]) -> bytes:
    """A horizontal bar chart as SVG bytes (an empty chart says « Aucune donnée »)."""
    import matplotlib  # type: ignore[import-untyped]

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-untyped]
    from matplotlib.ticker import MaxNLocator  # type: ignore[import-untyped]

    with _lock:
        height = max(2.0, 0.45 * len(labels) + 1.2)
        figure, axes = plt.subplots(figsize=(8, height))
        try:
            if labels:
                shown = [label if len(label) <= 45 else label[:44] + "…" for label in labels]
                positions = list(range(len(shown)))
                axes.barh(positions, list(values), color=BLUE_FRANCE)
                axes.set_yticks(positions, shown)
                axes.invert_yaxis()
                axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts, not fractions
                for position, value in zip(positions, values, strict=True):
                    axes.text(value, position, f" {value:g}", va="center", fontsize=9)
            else:
                axes.text(0.5, 0.5, "Aucune donnée", ha="center", va="center")
                axes.set_axis_off()
            axes.set_title(title)
            axes.spines[["top", "right"]].set_visible(False)
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="svg", metadata={"Date": None})
            return out.getvalue()
        finally:
            plt.close(figure)
