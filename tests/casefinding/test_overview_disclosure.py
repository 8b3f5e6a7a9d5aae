"""The population overview shown to an analyst, on a neighbourhood small enough that most cells are small: no
count under 10 can be read off the page, directly or from a percentage and its denominator."""

import json
import math
import re
from dataclasses import fields
from html.parser import HTMLParser

import numpy as np
import pytest
from django.core.management import call_command

from neighbourhood.casefinding.reports import report_dir
from neighbourhood.governance.roles import Role
from neighbourhood.risk.model import ModelMetadata, metrics
from tests.casefinding.factories import RiskRunFactory, model_info
from tests.factories import OrganisationFactory, staff

pytestmark = pytest.mark.django_db


def segment(name, people, admissions, spend):
    return {"segment": name, "people": people, "spend_gbp": float(spend), "emergency_admissions": admissions}


# 212 people, 43 emergency admissions, £200,000
SMALL_PYRAMID = [
    segment("Top 0.5%", 3, 1, 24_000),
    segment("0.5% to 2%", 7, 9, 35_000),
    segment("2% to 5%", 12, 15, 30_000),
    segment("5% to 20%", 40, 6, 40_000),
    segment("Rest (80%)", 150, 12, 71_000),
]


def subgroup(grouping, group, people, events, auroc=None, slope=None):
    return {
        "grouping": grouping,
        "group": group,
        "people": people,
        "events": events,
        "auroc": auroc,
        "calibration_slope": slope,
        "mean_predicted": None if auroc is None else 0.2,
    }


# as neighbourhood.risk.report writes it: raw counts, which stay on the server
SMALL_METRICS = {
    "overall": {
        "people": 212,
        "events": 43,
        "auroc": 0.7912,
        "calibration_slope": 0.95,
        "calibration_intercept": -0.1,
        "brier": 0.12,
        "truth_auroc": None,
    },
    "top": [
        {"top": "2%", "people": 5, "admitted": 3, "all_admitted": 43},
        {"top": "5%", "people": 11, "admitted": 7, "all_admitted": 43},
    ],
    "subgroups": [
        subgroup("Age band", "0-17", 3, 0),
        subgroup("Age band", "65-74", 40, 9),
        subgroup("Sex", "F", 120, 12, 0.7712, 1.0423),
        subgroup("Sex", "M", 92, 31, 0.8011, 0.9312),
        subgroup("IMD quintile (1 = most deprived)", "1", 25, 17),
        subgroup("Ethnicity", "Not stated", 14, 6),
    ],
}


class Cells(HTMLParser):
    """Table rows (th/td) and summary-list pairs (dt/dd) as text, by the heading they follow."""

    def __init__(self):
        super().__init__()
        self.section, self.rows, self.pairs, self.cell, self.row, self.text = "", {}, {}, None, None, []

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3", "td", "th", "dt", "dd"):
            self.cell, self.text = tag, []
        if tag == "tr":
            self.row = []

    def handle_endtag(self, tag):
        if tag != self.cell:
            if tag == "tr" and self.row is not None:
                self.rows.setdefault(self.section, []).append(self.row)
                self.row = None
            return
        text = " ".join("".join(self.text).split())
        self.cell = None
        if tag in ("h2", "h3"):
            self.section = text
        elif tag in ("td", "th") and self.row is not None:
            self.row.append(text)
        elif tag == "dt":
            self.key = text
        elif tag == "dd":
            self.pairs.setdefault(self.section, {})[self.key] = text

    def handle_data(self, data):
        if self.cell:
            self.text.append(data)


def cells(page: str) -> Cells:
    parser = Cells()
    parser.feed(page)
    return parser


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
NUMBER = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)(%?)")


# the columns that name a row (segment, group, run number) rather than count anything
LABEL_COLUMNS = {"Pyramid of need": 1, "How the scores did by group": 2, "Runs": 1}


def counts_in(text: str) -> list[int]:
    """The whole numbers in a cell that are counts: not dates or periods, percentages, measures (0.812), or
    the threshold in "fewer than 10"."""
    text = re.sub(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b|\b\d+ months\b", "", text).replace(
        "fewer than 10", ""
    )
    return [int(n.replace(",", "")) for n, percent in NUMBER.findall(text) if not percent and "." not in n]


def percentages_in(text: str) -> list[str]:
    return [n for n, percent in NUMBER.findall(text) if percent]


def assert_recovers_no_small_count(percent: str, denominator: int):
    """share x denominator, and denominator minus that, allowing for the share's rounding to its shown
    decimals, must not be a count from 1 to 9."""
    decimals = len(percent.partition(".")[2])
    half_step = 0.5 * 10**-decimals
    low = (float(percent) - half_step) / 100 * denominator
    high = (float(percent) + half_step) / 100 * denominator
    for lo, hi in ((low, high), (denominator - high, denominator - low)):
        small = [k for k in range(1, 10) if lo - 1e-9 <= k <= hi + 1e-9]
        assert not small, f"{percent}% of {denominator} could be {small}"


@pytest.fixture
def analyst(client):
    client.force_login(staff(Role.ANALYST, OrganisationFactory()))
    return client


def overview(client, *, pyramid=SMALL_PYRAMID, metrics_json=SMALL_METRICS, run_info=None, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    run = RiskRunFactory(pyramid=pyramid, **({"model_info": run_info} if run_info is not None else {}))
    folder = report_dir(run)
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(metrics_json))
    response = client.get("/case-finding/overview/")
    assert response.status_code == 200
    return cells(response.content.decode())


def test_no_count_under_ten_can_be_read_off_the_overview(analyst, settings, tmp_path):
    page = overview(analyst, settings=settings, tmp_path=tmp_path)
    # every count shown, in every table (after its label columns) and list on the page, is 10 or more
    assert set(page.rows) == set(LABEL_COLUMNS)
    all_cells = [
        cell
        for section, rows in page.rows.items()
        for row in rows[1:]
        for cell in row[LABEL_COLUMNS[section] :]
    ]
    all_cells += [text for pairs in page.pairs.values() for pair in pairs.items() for text in pair]
    shown_counts = [count for text in all_cells for count in counts_in(text)]
    assert shown_counts and all(count >= 10 for count in shown_counts), shown_counts

    # every share in the pyramid, times the total shown under it, gives no small count back
    _header, *body, total = page.rows["Pyramid of need"]
    assert total[0] == "All people"
    people_total, admissions_total = int(total[1]), int(total[4])
    for row in body:
        for column, denominator in ((2, people_total), (5, admissions_total)):
            for percent in percentages_in(row[column]):
                assert_recovers_no_small_count(percent, denominator)

    # and so does every share at the top of the ranking, with the counts shown beside it
    evaluation = page.pairs["How the scores did"]
    for label, value in evaluation.items():
        if not label.startswith("Top "):
            continue
        for percent, denominator in zip(
            percentages_in(value), [*counts_in(label), *counts_in(value)], strict=False
        ):
            assert_recovers_no_small_count(percent, denominator)


def test_the_pyramid_cells_are_suppressed_or_rounded_as_worked_out_by_hand(analyst, settings, tmp_path):
    page = overview(analyst, settings=settings, tmp_path=tmp_path)
    suppressed = ["fewer than 10", "suppressed", "suppressed", "suppressed", "suppressed"]
    assert page.rows["Pyramid of need"][1:] == [
        # 3 people, 1 admission; 7 people, 9 admissions: nothing about them is shown
        ["Top 0.5%", *suppressed],
        ["0.5% to 2%", *suppressed],
        # 12 people → 10, of 212 → 210: 4.8%; £30,000 of £200,000; 15 of 43 → 45 admissions: 33.3%
        ["2% to 5%", "10", "4.8%", "15.0%", "15", "33.3%"],
        # 6 admissions among 40 people: suppressed, and so is their share
        ["5% to 20%", "40", "19.0%", "20.0%", "fewer than 10", "suppressed"],
        # 12 admissions → 10, of 45: 22.2%
        ["Rest (80%)", "150", "71.4%", "35.5%", "10", "22.2%"],
        ["All people", "210", "100%", "100%", "45", "100%"],
    ]


def test_a_share_whose_complement_is_small_is_suppressed(analyst, settings, tmp_path):
    # 55 of 59 people: the 4 others would be 100% minus the share
    pyramid = [segment("Top 20%", 4, 2, 10_000), segment("Rest (80%)", 55, 20, 90_000)]
    page = overview(analyst, pyramid=pyramid, settings=settings, tmp_path=tmp_path)
    rows = page.rows["Pyramid of need"][1:]
    assert rows[1] == ["Rest (80%)", "55", "suppressed", "suppressed", "20", "suppressed"]


def test_the_top_of_the_ranking_is_shown_only_from_counts_that_are_large_enough(analyst, settings, tmp_path):
    page = overview(analyst, settings=settings, tmp_path=tmp_path)
    evaluation = page.pairs["How the scores did"]
    suppressed = "the share admitted is suppressed; their share of all people admitted is suppressed"
    assert evaluation["Top 2% by risk (fewer than 10 people)"] == suppressed
    assert evaluation["Top 5% by risk (10 people)"] == suppressed
    assert evaluation["People scored"] == "210"
    assert evaluation["People admitted in the following 12 months"] == "45"
    assert evaluation["AUROC over the following 12 months"] == "0.791"

    larger = {**SMALL_METRICS, "top": [{"top": "2%", "people": 40, "admitted": 12, "all_admitted": 23}]}
    page = overview(analyst, metrics_json=larger, settings=settings, tmp_path=tmp_path / "larger")
    assert page.pairs["How the scores did"]["Top 2% by risk (40 people)"] == (
        "25.0% were admitted; they were 40.0% of all 25 people admitted"
    )


def test_a_report_with_ratios_but_no_counts_shows_no_shares(analyst, settings, tmp_path):
    older = {
        "overall": {"auroc": 0.81, "calibration_slope": 0.97},
        "top": [{"top": "2%", "people": 40, "precision": 0.5, "capture": 0.25}],
    }
    page = overview(analyst, metrics_json=older, settings=settings, tmp_path=tmp_path)
    evaluation = page.pairs["How the scores did"]
    assert evaluation["Top 2% by risk (40 people)"] == "not shown: no counts to check for small numbers"
    assert evaluation["Measures over the following 12 months"] == (
        "not shown: no counts to check for small numbers"
    )
    assert "50" not in " ".join(evaluation.values())


def test_subgroups_say_what_was_suppressed(analyst, settings, tmp_path):
    page = overview(analyst, settings=settings, tmp_path=tmp_path)
    dash = "\N{EN DASH}"
    assert page.rows["How the scores did by group"][1:] == [
        [
            "Age band",
            "0-17",
            "fewer than 10",
            "fewer than 10",
            dash,
            dash,
            "Suppressed: fewer than 10 people",
        ],
        ["Age band", "65-74", "40", "fewer than 10", dash, dash, "Suppressed: fewer than 10 people admitted"],
        ["Sex", "F", "120", "10", "0.771", "1.042", ""],
        ["Sex", "M", "90", "30", "0.801", "0.931", ""],
        [
            "IMD quintile (1 = most deprived)",
            "1",
            "25",
            "suppressed",
            dash,
            dash,
            "Suppressed: fewer than 10 people not admitted",
        ],
        [
            "Ethnicity",
            "Not stated",
            "15",
            "fewer than 10",
            dash,
            dash,
            "Suppressed: fewer than 10 people admitted",
        ],
    ]


def test_when_it_was_trained_shows_labelled_numbers_not_a_dictionary(analyst, settings, tmp_path):
    page = overview(analyst, settings=settings, tmp_path=tmp_path)
    trained = page.pairs["When it was trained"]
    assert trained == {
        "Training window": "admissions from 1 April 2025 to 31 March 2026",
        "People in the training window": "20,000",
        "People admitted in the training window": "2,750",
        "People in the held-out part": "3,000",
        "People admitted in the held-out part": "410",
        "AUROC (training window, held-out part)": "0.812",
        "Calibration slope (training window, held-out part)": "0.971",
        "Calibration intercept (training window, held-out part)": "-0.043",
        "Brier score (training window, held-out part)": "0.072",
    }
    assert not any("{" in key or "{" in value for key, value in trained.items())


def test_held_out_measures_over_few_admissions_are_suppressed(analyst, settings, tmp_path):
    info = model_info()
    info["metrics"]["held_out"].update(people=300, events=7)
    page = overview(analyst, run_info=info, settings=settings, tmp_path=tmp_path)
    trained = page.pairs["When it was trained"]
    assert trained["People admitted in the held-out part"] == "fewer than 10"
    assert trained["Measures on the held-out part"] == "suppressed: fewer than 10 people admitted"
    assert "AUROC (training window, held-out part)" not in trained


def test_the_factory_run_stores_model_info_shaped_like_a_real_run():
    """casefinding.runs stores neighbourhood.risk.model's `info` (ModelMetadata) plus the artefact folder;
    metrics["held_out"] is what model.metrics returns."""
    info = RiskRunFactory.build().model_info
    assert set(info) == {f.name for f in fields(ModelMetadata)} | {"artefact"}
    y, p = np.array([0, 1, 0, 1, 0, 0]), np.array([0.1, 0.8, 0.3, 0.6, 0.2, 0.4])
    assert set(info["metrics"]["held_out"]) == set(metrics(y, p))
    assert all(math.isfinite(v) for v in info["metrics"]["held_out"].values())


def test_the_model_report_command_leaves_the_raw_counts_on_the_server(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    folder = report_dir(RiskRunFactory())
    folder.mkdir(parents=True)
    for name in ("index.html", "roc.png", "metrics.json"):
        (folder / name).write_text("x")
    call_command("model_report", out=str(tmp_path / "out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["index.html", "roc.png"]
