"""Chinese text folding that every layer shares: traditional characters to simplified (OpenCC).

The lowest module of the package: schema.py compares vocabulary spellings with it and normalize.py cleans
cell text with it, so neither needs the other to fold text.
"""
from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified characters (OpenCC); simplified text passes unchanged."""
    if not text or text.isascii():
        return text
    return _t2s().convert(text)
