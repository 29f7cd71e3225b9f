"""The reliability diagram of a model's served intervals (Metrics.reliability: nominal level -> observed coverage).

Drawn with matplotlib when it is installed (PNG, SVG, PDF: by the file's extension); without it, SVG is
written by hand and other formats are refused with a message saying what to install.
"""
import os
from typing import Sequence, Tuple
from xml.sax.saxutils import escape

Point = Tuple[float, float]


class NeedsMatplotlib(Exception):
    pass


def points(metrics) -> Sequence[Point]:
    return [(p.level, p.coverage) for p in metrics.reliability]


def write(path: str, curve: Sequence[Point], title: str, use_matplotlib: bool = True) -> str:
    """Writes the diagram to path; returns "matplotlib" or "svg" (which writer drew it)."""
    if not curve:
        raise ValueError("the evaluation has no reliability curve (a server older than the reliability field?)")
    extension = os.path.splitext(path)[1].lower()
    if use_matplotlib:
        try:
            import matplotlib
        except ImportError:
            pass
        else:
            matplotlib.use("Agg")  # files only: no display needed
            _matplotlib(path, curve, title)
            return "matplotlib"
    if extension != ".svg":
        raise NeedsMatplotlib("writing %s needs matplotlib (apt-get install python3-matplotlib, or pip install "
                              "matplotlib); without it, ask for an .svg file" % (extension or "that file type"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(svg(curve, title))
    return "svg"


def _matplotlib(path: str, curve: Sequence[Point], title: str) -> None:
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(5, 5))
    try:
        axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
        axes.plot([l for l, _ in curve], [c for _, c in curve], marker="o", label="observed coverage")
        axes.set(xlim=(0, 1), ylim=(0, 1), xlabel="nominal interval level", ylabel="share of rows inside",
                 title=title)
        axes.legend(loc="upper left")
        figure.savefig(path)
    finally:
        pyplot.close(figure)


def svg(curve: Sequence[Point], title: str, size: int = 400, margin: int = 50) -> str:
    """A self-contained SVG: the diagonal, the observed curve with one circle per level, labelled axes."""
    plot = size - 2 * margin

    def x(v):
        return margin + v * plot

    def y(v):
        return size - margin - v * plot

    ticks = []
    for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        ticks.append('<text x="%.1f" y="%d" text-anchor="middle" font-size="11">%.1f</text>' % (x(t), size - margin + 16, t))
        ticks.append('<text x="%d" y="%.1f" text-anchor="end" font-size="11">%.1f</text>' % (margin - 6, y(t) + 4, t))
    line = " ".join("%.1f,%.1f" % (x(l), y(c)) for l, c in curve)
    dots = "".join('<circle class="point" cx="%.1f" cy="%.1f" r="3" data-level="%g" data-coverage="%g"/>'
                   % (x(l), y(c), l, c) for l, c in curve)
    return "\n".join([
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">' % (size, size, size, size),
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="%d" y="24" text-anchor="middle" font-size="14">%s</text>' % (size // 2, escape(title)),
        '<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="black"/>' % (margin, margin, plot, plot),
        '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="grey" stroke-dasharray="4 4"/>' % (x(0), y(0), x(1), y(1)),
        '<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="%s"/>' % line,
        '<g fill="#1f77b4">%s</g>' % dots,
        "".join(ticks),
        '<text x="%d" y="%d" text-anchor="middle" font-size="12">nominal interval level</text>' % (size // 2, size - 12),
        '<text x="14" y="%d" text-anchor="middle" font-size="12" transform="rotate(-90 14 %d)">share of rows inside</text>'
        % (size // 2, size // 2),
        "</svg>", ""])
