"""Which warehouse sources the app may read: a path on the app's own machine only under the operator's folders,
tables and cluster storage as the warehouse allows; a source names itself in notices as an upload does."""
from __future__ import annotations

import pytest

from sla_core.engine.spark_source import SparkSource, shown_name
from sla_core.ingest.errors import InputError


@pytest.mark.parametrize("location", [
    "{root}/leads.parquet", "file://{root}/leads.parquet", "{root}/2024/*.parquet", "crm.sales.leads",
    "s3a://bucket/leads.parquet", "abfss://c@account.dfs.core.windows.net/leads", "dbfs:/mnt/crm/leads.parquet",
])
def test_a_path_under_an_allowed_folder_a_table_or_cluster_storage_is_read(tmp_path, location):
    SparkSource("local[2]", location.format(root=tmp_path)).check_readable((tmp_path,))


@pytest.mark.parametrize("location", [
    "/etc/passwd", "file:/etc/passwd", "file:///etc/passwd", "{root}/../../etc/passwd", "local:/etc/passwd",
    "har:///etc/passwd",
])
def test_any_other_path_on_this_machine_is_refused_by_name(tmp_path, location):
    given = location.format(root=tmp_path)
    with pytest.raises(InputError, match="not a folder this app may read"):
        SparkSource("local[2]", given).check_readable((tmp_path,))
    with pytest.raises(InputError, match="none: set SLA_WAREHOUSE_PATHS"):
        SparkSource("local[2]", given).check_readable(())


def test_the_deals_and_activity_locations_are_checked_too(tmp_path):
    with pytest.raises(InputError, match="/etc/deals.csv"):
        SparkSource("local[2]", str(tmp_path / "leads.parquet"), deals="/etc/deals.csv").check_readable((tmp_path,))


@pytest.mark.parametrize("location", ["{root}/{{x,../secret}}/leads.csv", "{root}/{{a,b}}.parquet",
                                      "file://{root}/{{x,../../etc}}/passwd", "{root}/x\\{{,..}}/y.csv"])
def test_a_glob_that_could_reach_outside_the_allowed_folder_is_refused(tmp_path, location):
    """Spark expands ``{x,../secret}`` after the check read it as a folder under the allowed one."""
    with pytest.raises(InputError, match=r"cannot use \{ \} or"):
        SparkSource("local[2]", location.format(root=tmp_path)).check_readable((tmp_path,))


@pytest.mark.parametrize("location", ["crm.leads; DROP TABLE x", "leads`", "", "a.b.c.d"])
def test_a_location_that_is_neither_a_table_name_nor_a_path_is_refused(location):
    with pytest.raises(InputError):
        SparkSource("local[2]", location)


def test_a_source_is_named_as_an_upload_names_its_file():
    assert shown_name("/data/crm/deals.csv") == "deals.csv" and shown_name("s3a://b/deals/") == "deals"
    assert shown_name("crm.sales.deals") == "crm.sales.deals"
