"""The review sheet: the answers as an editable XLSX or DOCX, and reading corrections back.

For reviewers who prefer Word or Excel to the review page. The sheet has two tables:
answers (one row per interviewee and question) and synthesis (one row per interviewee and
category). Identifying columns must come back unchanged; answer, translation, status and
synthesis are the editable ones. Importing validates every row before anything is saved
and goes through the same save path as the review page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReviewError
from ..files import write_output
from ..models import AnswerStatus, Guide, Study
from ..workflow import aligned_path
from . import edits, store

ANSWER_COLUMNS = (
    "interviewee_id",
    "question_id",
    "number",
    "question",
    "machine_answer",
    "answer",
    "translation",
    "status",
)
SYNTHESIS_COLUMNS = ("interviewee_id", "category_id", "category", "synthesis")
EDITABLE = {"answer", "translation", "status", "synthesis"}
ANSWERS_TITLE = "Answers"
SYNTHESIS_TITLE = "Synthesis"
FORMATS = (".xlsx", ".docx")


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: list[list[str]]


@dataclass(frozen=True)
class Change:
    """One imported change, for the report."""

    interviewee_id: str
    item: str
    """A question id, or "synthesis <category id>"."""
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.interviewee_id} {self.item}: {', '.join(self.fields)} changed"


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReviewError("the review sheet must be a .xlsx or .docx file", path)
    return suffix


# --- export -----------------------------------------------------------------------------


def sheet_tables(study: Study, guide: Guide) -> list[Table]:
    """The sheet's content for every aligned interviewee, in guide order."""
    answers, synthesis = [], []
    for person in guide.interviewees:
        if not aligned_path(study, person.id).is_file():
            continue
        matrix = store.load(study, person.id).matrix
        for a in matrix.answers:
            answers.append(
                [
                    person.id,
                    a.question_id,
                    str(a.number),
                    a.question,
                    a.answer,
                    a.final_answer,
                    a.translation,
                    a.status.value,
                ]
            )
        for category in guide.categories_of(person):
            text = matrix.synthesis.get(category.id, "")
            synthesis.append([person.id, category.id, category.name, text])
    return [
        Table(ANSWERS_TITLE, ANSWER_COLUMNS, answers),
        Table(SYNTHESIS_TITLE, SYNTHESIS_COLUMNS, synthesis),
    ]


def export_sheet(study: Study, guide: Guide, path: Path, *, force: bool = False) -> int:
    """Write the review sheet (format by extension); returns the number of answer rows."""
    tables = sheet_tables(study, guide)
    if not tables[0].rows:
        raise ReviewError("nothing to review yet; run `interviews align` first", study.root)
    data = _xlsx(tables) if _format(path) == ".xlsx" else _docx(tables, study.title)
    write_output(path, data, force=force)
    return len(tables[0].rows)


def _xlsx(tables: Sequence[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, Protection

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.title)
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in table.rows:
            sheet.append([None] * len(values))
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(sheet.max_row, column)
                cell.value = value
                cell.data_type = "s"  # text stays text: "=..." is never a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if table.header[column - 1] in EDITABLE:
                    cell.protection = Protection(locked=False)
        for column, name in enumerate(table.header, start=1):
            letter = sheet.cell(1, column).column_letter
            sheet.column_dimensions[letter].width = 60 if name in EDITABLE else 18
        sheet.freeze_panes = "A2"
        # Protected without a password: a reminder that only the editable columns count.
        sheet.protection.sheet = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _docx(tables: Sequence[Table], title: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(f"Review sheet: {title}", level=1)
    document.add_paragraph(
        "Edit only the columns answer, translation, status and synthesis; keep the other "
        "columns and the table layout as they are. Read back with "
        "`interviews review --import-sheet FILE`. Statuses: "
        + ", ".join(s.value for s in AnswerStatus)
        + "."
    )
    for table in tables:
        document.add_heading(table.title, level=2)
        grid = document.add_table(rows=1, cols=len(table.header))
        grid.style = "Table Grid"
        for cell, name in zip(grid.rows[0].cells, table.header, strict=True):
            cell.text = name
        for values in table.rows:
            for cell, value in zip(grid.add_row().cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- import -----------------------------------------------------------------------------


def read_sheet(path: Path) -> list[Table]:
    """The two tables of a review sheet, as text; a sheet that is not one is an error."""
    try:
        tables = _read_xlsx(path) if _format(path) == ".xlsx" else _read_docx(path)
    except FileNotFoundError:
        raise ReviewError("review sheet not found", path) from None
    except (OSError, ValueError, KeyError) as exc:
        raise ReviewError(f"cannot read the review sheet ({exc})", path) from exc
    found = {t.title: t for t in tables}
    result = []
    for title, header in ((ANSWERS_TITLE, ANSWER_COLUMNS), (SYNTHESIS_TITLE, SYNTHESIS_COLUMNS)):
        table = found.get(title)
        if table is None or table.header != header:
            raise ReviewError(
                f"no {title!r} table with the columns {', '.join(header)}; "
                "export a new sheet with `interviews review --export-sheet`",
                path,
            )
        result.append(table)
    return result


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _read_xlsx(path: Path) -> list[Table]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    tables = []
    for sheet in book.worksheets:
        rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        if rows:
            tables.append(Table(sheet.title, tuple(rows[0]), rows[1:]))
    book.close()
    return tables


def _read_docx(path: Path) -> list[Table]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except PackageNotFoundError as exc:
        raise ValueError("not a Word document") from exc
    titles = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 2")]
    tables = []
    for title, grid in zip(titles, document.tables, strict=False):
        rows = [[cell.text for cell in row.cells] for row in grid.rows]
        tables.append(Table(title, tuple(rows[0]), rows[1:]))
    return tables


def import_sheet(study: Study, guide: Guide, path: Path, *, editor: str) -> list[Change]:
    """Apply a review sheet's corrections; every row is checked before anything is saved.

    Returns what changed, per interviewee and question. A row with an unknown id, a
    changed identifying column or an invalid status is an error naming the file and row.
    """
    answers, synthesis = read_sheet(path)
    loaded: dict[str, store.Loaded] = {}
    changes: list[Change] = []
    problems: list[str] = []
    for number, row in enumerate(answers.rows, start=2):
        if not any(row):
            continue
        try:
            changes += _apply_answer(study, guide, loaded, _named(ANSWER_COLUMNS, row), editor)
        except ReviewError as error:
            problems.append(f"{ANSWERS_TITLE} row {number}: {error.message}")
    for number, row in enumerate(synthesis.rows, start=2):
        if not any(row):
            continue
        try:
            values = _named(SYNTHESIS_COLUMNS, row)
            changes += _apply_synthesis(study, guide, loaded, values, editor)
        except ReviewError as error:
            problems.append(f"{SYNTHESIS_TITLE} row {number}: {error.message}")
    if problems:
        raise ReviewError("; ".join(problems) + "; nothing was imported", path)
    store.save_all(study, [loaded[c.interviewee_id] for c in _first_per_person(changes)])
    return changes


def _named(columns: tuple[str, ...], row: list[str]) -> dict[str, str]:
    """A row by column name; cells missing at the end count as empty."""
    cells = [*row, *[""] * (len(columns) - len(row))][: len(columns)]
    return dict(zip(columns, cells, strict=True))


def _first_per_person(changes: list[Change]) -> list[Change]:
    return list({c.interviewee_id: c for c in changes}.values())


def _matrix(
    study: Study, guide: Guide, loaded: dict[str, store.Loaded], person: str
) -> store.Loaded:
    if person not in {i.id for i in guide.interviewees}:
        raise ReviewError(f"unknown interviewee {person!r}")
    if person not in loaded:
        if not aligned_path(study, person).is_file():
            raise ReviewError(f"{person} has no aligned answers; run `interviews align` first")
        loaded[person] = store.load(study, person)
    return loaded[person]


def _apply_answer(
    study: Study,
    guide: Guide,
    loaded: dict[str, store.Loaded],
    row: dict[str, str],
    editor: str,
) -> list[Change]:
    current = _matrix(study, guide, loaded, row["interviewee_id"])
    try:
        before = edits.answer_of(current.matrix, row["question_id"])
    except ReviewError:
        raise ReviewError(
            f"unknown question {row['question_id']!r} for {row['interviewee_id']}"
        ) from None
    if row["number"] != str(before.number) or row["question"] != before.question:
        raise ReviewError(
            f"the number or question of {row['question_id']} was changed; "
            "only answer, translation and status may be edited"
        )
    edits.parse_status(row["status"])
    matrix = edits.edit_answer(
        current.matrix,
        before.question_id,
        editor=editor,
        answer=row["answer"],
        translation=row["translation"],
        status=row["status"],
    )
    after = edits.answer_of(matrix, before.question_id)
    fields = tuple(
        name
        for name, old, new in (
            ("answer", before.final_answer, after.final_answer),
            ("translation", before.translation, after.translation),
            ("status", before.status, after.status),
        )
        if old != new
    )
    if not fields:
        return []
    loaded[row["interviewee_id"]] = store.Loaded(matrix, current.version)
    return [Change(row["interviewee_id"], before.question_id, fields)]


def _apply_synthesis(
    study: Study,
    guide: Guide,
    loaded: dict[str, store.Loaded],
    row: dict[str, str],
    editor: str,
) -> list[Change]:
    person = row["interviewee_id"]
    current = _matrix(study, guide, loaded, person)
    categories = {c.id for c in guide.categories_of(guide.interviewee(person))}
    if row["category_id"] not in categories:
        raise ReviewError(f"unknown category {row['category_id']!r} for {person}")
    matrix = edits.edit_synthesis(
        current.matrix, row["category_id"], row["synthesis"], editor=editor
    )
    if matrix == current.matrix:
        return []
    loaded[person] = store.Loaded(matrix, current.version)
    return [Change(person, f"synthesis {row['category_id']}", ("synthesis",))]
