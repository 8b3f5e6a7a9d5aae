import pytest

from neighbourhood.synth.generate import generate_neighbourhood

from .lakes import INDEX_DATE


@pytest.fixture(scope="session")
def small_lake(tmp_path_factory):
    """3,000 people, seed 11: most structural tests read this one lake."""
    out = tmp_path_factory.mktemp("small") / "lake"
    generate_neighbourhood(out, people=3_000, seed=11, index_date=INDEX_DATE)
    return out


@pytest.fixture(scope="session")
def lake_20k(tmp_path_factory):
    """20,000 people: enough for age, prevalence and risk shapes to show."""
    out = tmp_path_factory.mktemp("big") / "lake"
    generate_neighbourhood(out, people=20_000, seed=5, index_date=INDEX_DATE)
    return out
