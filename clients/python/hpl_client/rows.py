"""Rows as the server wants them: numbers for numeric columns, text for categorical ones, None for a missing value.

CSV cells and DataFrame values arrive as text or numpy scalars; the model's schema (ModelInfo.schema) says
which kind each column is, so "3" in a categorical column stays the category "3" and never becomes 3.0.
"""
import math
from typing import Dict, Mapping, Optional

Cell = Optional[object]


class Columns:
    """The kind of each feature column of one model's schema (pb.Schema)."""

    def __init__(self, schema):
        from hpl_client._stubs import pb

        self.numeric = {c.name for c in schema.features if c.kind == pb.COLUMN_KIND_NUMERIC}
        self.categorical = {c.name for c in schema.features if c.kind == pb.COLUMN_KIND_CATEGORICAL}
        self.target = schema.target_column

    def row(self, raw: Mapping[str, Cell]) -> Dict[str, Cell]:
        """The row's feature cells, typed; other columns (target, ignored, extra) are left out."""
        typed = {}
        for name, value in raw.items():
            if name in self.numeric:
                typed[name] = _number(name, value)
            elif name in self.categorical:
                typed[name] = None if _missing(value) else _text(value)
        return typed

    def labelled_row(self, raw: Mapping[str, Cell]) -> Dict[str, Cell]:
        """As row(), plus the target as a number (for inline Evaluate)."""
        typed = self.row(raw)
        typed[self.target] = _number(self.target, raw.get(self.target))
        return typed


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return math.isnan(value)
    except TypeError:
        return False


def _number(column: str, value) -> Optional[float]:
    if _missing(value):
        return None  # the server imputes it when the column had missing values in training, else says so
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError("column %r is numeric in the model's schema, but a row has %r" % (column, value)) from None


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a pandas column of integer categories with a NaN turns float: 3.0 is category "3"
    return str(value)
