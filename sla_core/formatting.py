"""How a figure reads on a page: one spelling of "n/a" and of each unit for every table."""
from __future__ import annotations

import math

import pandas as pd

NA = "n/a"


def is_missing(value) -> bool:
    """None, NaN, pandas NA or NaT: a figure that could not be computed."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def money(value) -> str:
    return NA if is_missing(value) else f"${value:,.0f}"


def percent(value, digits: int = 1) -> str:
    return NA if is_missing(value) else f"{value * 100:,.{digits}f} %"


def count(value) -> str:
    return NA if is_missing(value) else f"{value:,.0f}"


def days(value) -> str:
    return NA if is_missing(value) else f"{value:,.1f} days"


def hours(value) -> str:
    return NA if is_missing(value) else f"{value:,.2f} h"


def attempts(value) -> str:
    return NA if is_missing(value) else f"{value:,.2f}"
