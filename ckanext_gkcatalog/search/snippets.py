"""Highlighting: the words a search matched, marked in the item's own text, everything else escaped.

The text is compared in its folded form (tokens.fold: simplified, half-width, lower case) character by
character, so a traditional or full-width spelling in a catalog is marked where the simplified query
matched it, and the marks land on the text as printed.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from ..tokens import fold

WINDOW = 90  # characters of a snippet


def _folded(text: str) -> str:
    """The folded text with one character per character of `text` (a character that folds to several
    keeps itself), so that positions carry over."""
    whole = fold(text)
    if len(whole) == len(text):  # the usual case: folding keeps every character one character
        return whole
    out = []
    for char in text:
        one = fold(char)
        out.append(one if len(one) == 1 else char.lower())
    return "".join(out)


def _spans(text: str, words) -> list[tuple[int, int]]:
    if not words:
        return []
    folded, spans = _folded(text), []
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        start = folded.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = folded.find(word, start + len(word))
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans: list, start: int, end: int) -> Markup:
    out, at = [], start
    for left, right in spans:
        if right <= start or left >= end:
            continue
        left, right = max(left, start), min(right, end)
        out.append(escape(text[at:left]))
        out.append(Markup("<mark>%s</mark>") % text[left:right])
        at = right
    out.append(escape(text[at:end]))
    return Markup("").join(out)


def highlight(text: str | None, words) -> Markup:
    """The whole text, escaped, with the matched words in <mark>."""
    text = text or ""
    return _marked(text, _spans(text, words), 0, len(text))


def snippet(texts: list, words, width: int = WINDOW) -> Markup:
    """A window of the first text that holds a matched word, centred on the first match; without a match,
    the start of the first non-empty text."""
    texts = [" ".join(str(t).split()) for t in texts if t]
    for text in texts:
        spans = _spans(text, words)
        if spans:
            start = max(0, min(spans[0][0] - width // 3, len(text) - width))
            end = min(len(text), start + width)
            return Markup("").join([Markup("…") if start else Markup(""), _marked(text, spans, start, end),
                                    Markup("…") if end < len(text) else Markup("")])
    if not texts:
        return Markup("")
    return escape(texts[0][:width]) + (Markup("…") if len(texts[0]) > width else Markup(""))
