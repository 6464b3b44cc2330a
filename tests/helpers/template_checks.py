"""Reading back the template workbooks' checks (data validations) in tests: what each cell accepts."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class Validation:
    ranges: str  # the cells it covers, as Excel writes them: "C2:C64", or several separated by spaces
    kind: str
    operator: str | None
    formula1: str | None
    formula2: str | None
    prompt: str | None
    error: str | None

    @property
    def values(self) -> list[str]:
        """A list validation's values (an in-cell list is written "a,b,c")."""
        assert self.kind == "list" and self.formula1 and self.formula1.startswith('"'), self
        return self.formula1.strip('"').split(",")


def validations(ws: Worksheet) -> list[Validation]:
    return [
        Validation(str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, dv.prompt, dv.error)
        for dv in ws.data_validations.dataValidation
    ]


def covering(ws: Worksheet, cell: str) -> list[Validation]:
    """The validations that apply to one cell ("D9")."""
    return [v for v, dv in zip(validations(ws), ws.data_validations.dataValidation) if cell in dv.sqref]


def header(ws: Worksheet) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def data_rows(ws: Worksheet) -> list[dict[str, object]]:
    """The sheet's rows below the header as {column: value}, blank rows left out."""
    names = header(ws)
    rows = ws.iter_rows(min_row=2, values_only=True)
    return [dict(zip(names, row)) for row in rows if any(v is not None for v in row)]
