"""Every statement under sla_core/sql/data_line (the line each page opens with), on a few given leads."""
from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from sla_core import queries

CASES = {
    # created 2024-03-01 02:00 UTC is still 29 February in New York; 2024-03-31 23:30 UTC is 1 April in Berlin
    "lead_span": [
        ("UTC", {"first_day": date(2024, 3, 1), "last_day": date(2024, 3, 31)}),
        ("America/New_York", {"first_day": date(2024, 2, 29), "last_day": date(2024, 3, 31)}),
        ("Europe/Berlin", {"first_day": date(2024, 3, 1), "last_day": date(2024, 4, 1)}),
    ],
}
LEADS = [{"lead_id": "A", "created_at": "2024-03-01T02:00:00Z"},
         {"lead_id": "B", "created_at": "2024-03-15T12:00:00Z", "customer_at": "2024-06-01T00:00:00Z"},
         {"lead_id": "C", "created_at": "2024-03-31T23:30:00Z"}]


@pytest.mark.parametrize(("tz", "expected"), CASES["lead_span"])
def test_lead_span_is_the_first_and_last_creation_day_in_the_zone(make_leads, tz, expected):
    """The span counts creation days only: a later customer date does not stretch it."""
    assert queries.row(make_leads(LEADS), "data_line/lead_span", tz=tz) == expected


def test_lead_span_of_no_leads_is_empty(make_leads):
    assert queries.row(make_leads([]), "data_line/lead_span", tz="UTC") == {"first_day": None, "last_day": None}


def test_every_data_line_statement_has_a_case():
    folder = resources.files("sla_core").joinpath("sql", "data_line")
    assert {p.name.removesuffix(".sql") for p in folder.iterdir() if p.name.endswith(".sql")} == set(CASES)
