import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    here, elsewhere = PracticeFactory(), PracticeFactory()
    run = RiskRunFactory()
    high = RiskScoreFactory(
        run=run,
        person=PersonFactory(practice=here, family_name="Highrisk"),
        admission_risk=0.4,
        wokingham_flag=True,
        wokingham_reasons=["2 falls in a year"],
        on_register=True,
        register_reasons=["In the top 2% by risk"],
    )
    low = RiskScoreFactory(
        run=run,
        person=PersonFactory(practice=here, family_name="Lowrisk"),
        admission_risk=0.02,
        segment="Rest",
        efi=None,
        efi_category="",
    )
    other = RiskScoreFactory(run=run, person=PersonFactory(practice=elsewhere, family_name="Otherpractice"))
    gp = staff(Role.GP, here.organisation)
    return {"run": run, "high": high, "low": low, "other": other, "gp": gp, "here": here}


def test_gp_sees_own_practice_ranked_by_risk_with_reasons(client, setting):
    client.force_login(setting["gp"])
    page = client.get("/case-finding/").content.decode()
    assert page.index("HIGHRISK") < page.index("LOWRISK")
    assert "OTHERPRACTICE" not in page
    assert "2 falls in a year" in page and "40.0%" in page
    assert "2 people match" in page


def test_filters_narrow_the_list(client, setting):
    client.force_login(setting["gp"])
    flagged = client.get("/case-finding/", {"flagged": "on"}).content.decode()
    assert "HIGHRISK" in flagged and "LOWRISK" not in flagged
    by_segment = client.get("/case-finding/", {"segment": "Rest"}).content.decode()
    assert "LOWRISK" in by_segment and "HIGHRISK" not in by_segment
    by_name = client.get("/case-finding/", {"sort": "name"}).content.decode()
    assert by_name.index("HIGHRISK") < by_name.index("LOWRISK")


def test_not_yet_reviewed_filter_drops_people_once_reviewed(client, setting):
    client.force_login(setting["gp"])
    nhs = setting["high"].person.nhs_number
    client.post(f"/case-finding/people/{nhs}/review/")
    page = client.get("/case-finding/", {"not_reviewed": "on"}).content.decode()
    assert "HIGHRISK" not in page and "LOWRISK" in page


def test_csv_and_xlsx_exports_hold_the_filtered_rows_and_are_audited(client, setting):
    client.force_login(setting["gp"])
    response = client.get("/case-finding/", {"on_register": "on", "export": "csv"})
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "NHS number" and len(rows) == 2
    assert rows[1][1] == "Highrisk" and rows[1][12] == "yes"
    response = client.get("/case-finding/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet["B"]][1:] == ["Highrisk", "Lowrisk"]
    assert AuditEvent.objects.filter(action="export_worklist").count() == 2


def test_analyst_cannot_open_the_identifiable_worklist_but_sees_the_suppressed_overview(client, setting):
    analyst = staff(Role.ANALYST, setting["here"].organisation)
    client.force_login(analyst)
    assert client.get("/case-finding/").status_code == 403
    overview = client.get("/case-finding/overview/").content.decode()
    assert "Pyramid of need" in overview
    assert "HIGHRISK" not in overview
    # 12 people in the top segment are shown rounded to 10; the 7 admissions in the rest are suppressed,
    # and so is their share, which would give them away by subtraction.
    assert "<td>Top 0.5%</td><td>10</td>" in overview
    assert "<td>fewer than 10</td><td>suppressed</td>" in overview


def test_without_a_run_the_worklist_says_so(client):
    practice = PracticeFactory()
    client.force_login(staff(Role.GP, practice.organisation))
    assert "has not run yet" in client.get("/case-finding/").content.decode()


def test_overview_shows_how_the_scores_did_and_serves_only_its_own_charts(
    client, setting, settings, tmp_path
):
    import json

    from neighbourhood.casefinding.reports import report_dir

    settings.VAR_DIR = tmp_path
    folder = report_dir(setting["run"])
    folder.mkdir(parents=True)
    (folder / "roc.png").write_bytes(b"\x89PNG fake")
    (folder / "metrics.json").write_text(
        json.dumps(
            {
                "overall": {
                    "people": 2000,
                    "events": 80,
                    "auroc": 0.81,
                    "truth_auroc": 0.85,
                    "calibration_slope": 0.97,
                },
                "top": [{"top": "2%", "people": 40, "admitted": 20, "all_admitted": 80}],
            }
        )
    )
    client.force_login(staff(Role.ANALYST, setting["here"].organisation))
    overview = client.get("/case-finding/overview/").content.decode()
    assert "AUROC over the following 12 months" in overview and "0.810" in overview
    assert "50.0% were admitted; they were 25.0% of all 80 people admitted" in overview
    run = setting["run"].pk
    assert client.get(f"/case-finding/runs/{run}/charts/roc.png").status_code == 200
    assert client.get(f"/case-finding/runs/{run}/charts/metrics.json").status_code == 404
    assert client.get(f"/case-finding/runs/{run}/charts/..%2Fsecret.png").status_code == 404


def test_practice_filter_lists_only_practices_of_people_the_user_may_view(client, setting):
    client.force_login(setting["gp"])
    page = client.get("/case-finding/").content.decode()
    elsewhere = setting["other"].person.practice
    assert f'value="{setting["here"].ods_code}"' in page
    assert f'value="{elsewhere.ods_code}"' not in page and elsewhere.name not in page


def test_worklist_ages_are_on_the_runs_data_date_and_it_says_so(client, setting):
    """Issue #11: born 17 May 1940, so 85 on the run's data date (1 April 2026) and 86 today."""
    client.force_login(setting["gp"])
    page = client.get("/case-finding/").content.decode()
    assert "Ages are on 1 April 2026" in page
    assert "aged 85" in page and "aged 86" not in page
    rows = list(
        csv.reader(io.StringIO(client.get("/case-finding/", {"export": "csv"}).content.decode("utf-8-sig")))
    )
    assert {row[rows[0].index("Age")] for row in rows[1:]} == {"85"}


def test_one_age_rule():
    from neighbourhood import presenters

    born = dt.date(1940, 5, 17)
    assert presenters.age(born, dt.date(2026, 5, 16)) == 85
    assert presenters.age(born, dt.date(2026, 5, 17)) == 86
    died = presenters.age_on(born, dt.date(2026, 6, 1), date_of_death=dt.date(2025, 1, 5))
    assert (died.years, died.label) == (84, "Age on 5 January 2025, when they died")
    assert presenters.age_on(born, dt.date(2026, 4, 1)).label == "Age on 1 April 2026"
