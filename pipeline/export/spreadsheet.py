"""CSV output shared by the tabular exports: what Excel and LibreOffice open safely."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from .content import Cell, escape_formula


def csv_text(value: Cell) -> str:
    """Numbers with two decimals, missing values empty, text escaped against formulas."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return escape_formula(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel shows é, ñ), CRLF rows, RFC 4180 quoting."""
    buffer = io.StringIO()
    table = csv.writer(buffer, lineterminator="\r\n")
    table.writerow(header)
    table.writerows([csv_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
