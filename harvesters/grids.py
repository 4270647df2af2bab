"""What every reader returns and raises: grids of cell texts, the cell bound of a table, and the located
problems of a file that cannot be read."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ckanext_gkcatalog.problems import Location, Problem

# A county catalog has a few thousand cells; a province's list of sources some tens of thousands.
DEFAULT_MAX_CELLS = 200_000


def max_cells() -> int:
    """The most cells one table may expand to: GKCATALOG_MAX_TABLE_CELLS, or DEFAULT_MAX_CELLS."""
    try:
        return max(1, int(os.environ.get("GKCATALOG_MAX_TABLE_CELLS") or DEFAULT_MAX_CELLS))
    except ValueError:
        return DEFAULT_MAX_CELLS


@dataclass
class Grid:
    file: str
    sheet: str | None  # sheet name, or "table N" for the Nth table of a page or document
    rows: list  # list of lists of str
    first_row: int = 1  # the spreadsheet row number of rows[0]
    caption: str = ""  # the heading printed above a table: it often names the domain
    merges_lost: bool = False  # a CSV: a merged cell's value stands in its first row only


class ReadError(Exception):
    """The file cannot be read at all; carries the Problem that says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message("en"))
        self.problem = problem

    def __reduce__(self):  # pickled with its problem: sandboxed readers send it back
        return ReadError, (self.problem,)


def unreadable(name: str, reason: str, sheet: str | None = None, row: int | None = None) -> ReadError:
    return ReadError(Problem("file_unreadable", Location(file=name, sheet=sheet, row=row), {"reason": reason}))


def too_large(name: str, sheet: str | None = None, row: int | None = None) -> ReadError:
    """A table whose expanded cells pass max_cells(): refused before it is built."""
    return ReadError(Problem("table_too_large", Location(file=name, sheet=sheet, row=row), {"limit": max_cells()}))


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312), then detection."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise unreadable(name, "unknown text encoding")
    return str(best)
