"""The Warntag latency histogram as a PNG (the optional `plot` extra: matplotlib)."""

from __future__ import annotations

from pathlib import Path

from stele.central.warntag import AlertReport
from stele.errors import SteleError


class PlotUnavailable(SteleError):
    """matplotlib is not installed."""


def write_histogram(reports: list[AlertReport], path: Path) -> None:
    """One histogram of publish -> presented per alert (in seconds), stacked vertically."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: never a window on a server
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable(
            "the histogram needs matplotlib: pip install 'stele[plot]' "
            "(Debian: apt install python3-matplotlib)"
        ) from None
    shown = [r for r in reports if r.latencies] or reports[:1]
    fig, axes = plt.subplots(len(shown), 1, figsize=(8, 2.6 * max(1, len(shown))), squeeze=False)
    for ax, rep in zip(axes[:, 0], shown, strict=True):
        seconds = [ms / 1000 for ms in rep.latencies]
        if seconds:
            ax.hist(seconds, bins=min(30, max(5, len(seconds) // 3)), color="#b71c1c")
        med, p95, top = rep.figures()
        acked = len([d for d in rep.acked if d in rep.expected])
        figures = ""
        if med is not None:
            figures = f"; median {med / 1000:.2f} s, p95 {(p95 or 0) / 1000:.2f} s"
            figures += f", max {(top or 0) / 1000:.2f} s"
        ax.set_title(
            f"{rep.identifier}: {acked} of {len(rep.expected)} steles{figures}", fontsize=9
        )
        ax.set_xlabel("publish → presented (s)")
        ax.set_ylabel("steles")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
