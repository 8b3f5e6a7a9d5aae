"""The search and summary pages in a real browser, with axe after every step."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from neighbourhood.governance.roles import Role
from neighbourhood.nhs_number import format_for_display
from neighbourhood.register.actions import load_register
from neighbourhood.register.models import Practice
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.factories import staff
from tests.register.lake import INDEX_DATE, lake_tables, write_lake

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_search_errors_results_and_a_full_summary_are_accessible(page, live_server, tmp_path):
    tables = lake_tables(3)
    tables["people"][0]["date_of_death"] = dt.date(2025, 3, 1)
    load_register(data_dir=write_lake(tmp_path / "lake", tables), as_of=INDEX_DATE)
    person = tables["people"][0]
    staff(
        Role.GP, Practice.objects.get(ods_code=person["practice_ods_code"]).organisation, username="dr-cole"
    )

    page.goto(live_server.url + "/people/")
    sign_in(page, "dr-cole")
    page.get_by_label("NHS number").fill("943 476 5918")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="the check digit (last digit) is 8 but should be 9")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("NHS number").fill("")
    page.get_by_label("Family name").fill(person["family_name"])
    page.get_by_label("Day").fill(str(person["date_of_birth"].day))
    page.get_by_label("Month").fill(str(person["date_of_birth"].month))
    page.get_by_label("Year").fill(str(person["date_of_birth"].year))
    page.get_by_role("button", name="Search").click()
    full_name = f"{person['given_name']} {person['family_name']}"
    expect(page.get_by_role("link", name=full_name)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=full_name).click()
    expect(page.get_by_role("heading", name=full_name, level=1)).to_be_visible()
    expect(page.get_by_text("This person has died")).to_be_visible()
    expect(page.get_by_text(format_for_display(person["nhs_number"])).first).to_be_visible()
    expect(page.get_by_role("columnheader", name="First recorded")).to_be_visible()
    assert_accessible(page)
