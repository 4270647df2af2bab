"""Charts as server-rendered SVG: no script, no CDN. Every text is escaped (names come from harvested
pages). Colours follow the rating bands, so a chart reads like the table beside it."""
from __future__ import annotations

from markupsafe import Markup, escape

from ..scoring import RATINGS, rating

BAND_COLOURS = {"excellent": "#1a7f37", "good": "#7fbf3f", "sufficient": "#f2b233", "insufficient": "#d1483c"}
EMPTY = "#e6e6e6"
FONT = 'font-family="system-ui, \'Noto Sans CJK SC\', sans-serif"'


def colour(score: float | None) -> str:
    return EMPTY if score is None else BAND_COLOURS[rating(score)]


def _svg(width: int, height: int, body: list, title: str) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
                  f'role="img" aria-label="{escape(title)}" {FONT} font-size="12"><title>{escape(title)}</title>'
                  + "".join(body) + "</svg>")


def heatmap(rows: list[tuple[str, str, list]], columns: list[str], title: str) -> Markup:
    """rows: (label, link, [cell per column]); a cell is a score, or a state (kind, text, link, note): a
    failed harvest ("failed", hatched red) or nothing published ("missing", grey), drawn with its own text.
    Column labels stand rotated, so 26 domains never overlap in either language."""
    cell_w, cell_h = 44, 22
    left = min(200, max(100, max((_text_width(label) for label, _, _ in rows), default=0) + 16))
    top = min(220, max(40, int(max((_text_width(c) for c in columns), default=0) * 0.72) + 16))
    # a label leans right by ~0.72 of its length: the last columns' labels need room past the grid
    right = max([40] + [int(_text_width(c) * 0.72 - (len(columns) - 1 - j) * cell_w) + cell_w // 2 + 8
                        for j, c in enumerate(columns)])
    width, height = left + cell_w * len(columns) + right, top + cell_h * len(rows) + 10
    body = ['<defs><pattern id="gk-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe9e7"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#f0b8b1" stroke-width="2"/></pattern></defs>']
    for j, name in enumerate(columns):
        x = left + j * cell_w + cell_w / 2
        body.append(f'<text x="{x}" y="{top - 6}" transform="rotate(-45 {x} {top - 6})">{escape(name)}</text>')
    for i, (label, link, values) in enumerate(rows):
        y = top + i * cell_h
        body.append(f'<a href="{escape(link)}"><text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text></a>')
        for j, value in enumerate(values):
            x = left + j * cell_w
            if isinstance(value, tuple):  # a state: its own text, link and note
                kind, text, target, note = value
                fill, ink = ("url(#gk-hatch)", "#7a1f17") if kind == "failed" else (EMPTY, "#555")
                size = ' font-size="9"'
            else:
                text, target, note = ("–" if value is None else f"{value:.0f}"), link, ""
                fill, ink, size = colour(value), "#000" if value is None else "#fff", ""
            hint = f"{label} · {columns[j]}: {text}" + (f" ({note})" if note else "")
            body.append(f'<a href="{escape(target)}"><rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                        f'fill="{fill}"><title>{escape(hint)}</title></rect>'
                        f'<text x="{x + cell_w / 2}" y="{y + 15}" text-anchor="middle" fill="{ink}"{size}>{escape(text)}</text></a>')
    return _svg(width, height, body, title)


def bars(items: list[tuple[str, float]], title: str, maximum: float = 100, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), in the given order; the labels' column as wide as the
    longest label needs (up to 360 px), `unit` after each value (e.g. %)."""
    bar_h, span = 20, 420
    left = min(360, max(150, max((_text_width(label) for label, _ in items), default=0) + 16))
    width = left + span + 60
    body = []
    for i, (label, value) in enumerate(items):
        y = 10 + i * bar_h
        length = max(0.0, min(value, maximum)) / maximum * span
        body.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
                    f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{bar_h - 5}" fill="{colour(value)}"/>'
                    f'<text x="{left + length + 4:.1f}" y="{y + 14}">{value:.1f}{escape(unit)}</text>')
    return _svg(width, 20 + bar_h * len(items), body, title)


def _text_width(text: str) -> int:
    """Pixels a label takes at the charts' 12 px font: a CJK character a full em, others about half."""
    return sum(12 if ord(c) > 0x2E7F else 7 for c in text)


def trend(points: list[tuple[str, float]], title: str) -> Markup:
    """A line of scores over time; points are (label, score 0..100), oldest first."""
    width, height, left, bottom, top = 620, 200, 40, 30, 10
    plot_w, plot_h = width - left - 20, height - top - bottom
    body = []
    for lowest, name in RATINGS:  # the bands behind the line
        y = top + plot_h * (1 - lowest / 100)
        body.append(f'<line x1="{left}" x2="{width - 20}" y1="{y:.1f}" y2="{y:.1f}" stroke="{BAND_COLOURS[name]}" '
                    f'stroke-dasharray="3,3"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{lowest}</text>')
    if points:
        step = plot_w / max(1, len(points) - 1)
        coords = [(left + i * step, top + plot_h * (1 - score / 100)) for i, (_, score) in enumerate(points)]
        body.append('<polyline fill="none" stroke="#2457a6" stroke-width="2" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
        for (x, y), (label, score) in zip(coords, points):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour(score)}">'
                        f'<title>{escape(label)}: {score:.1f}</title></circle>')
        for index in sorted({0, len(points) - 1}):
            anchor = "start" if index == 0 else "end"
            body.append(f'<text x="{coords[index][0]:.1f}" y="{height - 8}" text-anchor="{anchor}">'
                        f'{escape(points[index][0])}</text>')
    return _svg(width, height, body, title)
