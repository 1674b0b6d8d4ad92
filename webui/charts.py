"""Server-side SVG charts (no scripts, no CDN): horizontal bars and a line over time.

Each chart is an `<svg role="img">` with a `<title>` and `<desc>`; pages also show the
numbers in a table for screen readers and copy-paste.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 640


def bars(
    rows: Sequence[tuple[str, float, str]],
    *,
    title: str,
    desc: str = "",
    maximum: float | None = None,
    hot: set[int] | None = None,
) -> Markup:
    """Horizontal bars: (label, value, value text) per row; `hot` rows drawn in red."""
    label_w, row_h, pad = 200, 30, 8
    height = max(1, len(rows)) * row_h + pad * 2
    top = maximum if maximum else max((v for _, v, _ in rows), default=0) or 1
    plot_w = WIDTH - label_w - 80
    parts = [_open(height, title, desc)]
    for i, (label, value, text) in enumerate(rows):
        y = pad + i * row_h
        w = 0 if top <= 0 else max(0.0, value) / top * plot_w
        cls = "bar hot" if hot and i in hot else "bar"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end">{escape(_clip(label))}</text>'
            f'<rect class="{cls}" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}"'
            f' rx="3"></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 19}">{escape(text)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{label_w}" y1="{pad}" x2="{label_w}" y2="{height - pad}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def line(points: Sequence[tuple[str, float]], *, title: str, desc: str = "") -> Markup:
    """Values over time; every third x label is printed to keep a phone-width chart legible."""
    height, left, bottom, top_pad, right = 220, 40, 30, 12, 12
    plot_w, plot_h = WIDTH - left - right, height - bottom - top_pad
    top = max((v for _, v in points), default=0) or 1
    step = plot_w / max(1, len(points) - 1)
    xy = [
        (left + i * step, top_pad + plot_h - (v / top) * plot_h) for i, (_, v) in enumerate(points)
    ]
    parts = [_open(height, title, desc)]
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top_pad + plot_h}" x2="{WIDTH - right}"'
        f' y2="{top_pad + plot_h}"/>'
        f'<line class="axis" x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}"/>'
        f'<text x="{left - 6}" y="{top_pad + 10}" text-anchor="end">{_num(top)}</text>'
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end">0</text>'
    )
    if xy:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(f'<polyline class="line" points="{path}"></polyline>')
    for i, ((label, value), (x, y)) in enumerate(zip(points, xy, strict=True)):
        if value:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="bar"></circle>')
        if i % 3 == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(height: int, title: str, desc: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


def _clip(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _num(value: float) -> str:
    return f"{value:,.0f}"
