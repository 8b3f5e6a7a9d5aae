import numpy as np
import pytest

from neighbourhood.risk.model import AdmissionRiskModel, ModelError, model_matrix


@pytest.fixture(scope="module")
def model(tmp_path_factory, random_lake_dir):
    from neighbourhood.risk.pipeline import run_stratification
    from tests.risk.conftest import INDEX_DATE

    result = run_stratification(random_lake_dir, index_date=INDEX_DATE)
    return result.model, result.people


def test_contributions_are_exactly_the_trees_own_explanation(model):
    fitted, people = model
    bias, contributions = fitted.raw_contributions(people)
    shap = fitted.booster.predict(model_matrix(people), pred_contrib=True)
    np.testing.assert_allclose(contributions, shap[:, :-1], atol=1e-9)
    np.testing.assert_allclose(
        bias + contributions.sum(axis=1),
        fitted.booster.predict(model_matrix(people), raw_score=True),
        atol=1e-9,
    )


def test_a_model_for_other_features_is_refused(model, tmp_path):
    import json

    fitted, _ = model
    directory = fitted.save(tmp_path / "model")
    metadata = json.loads((directory / "metadata.json").read_text())
    metadata["features"] = metadata["features"][:-1]
    (directory / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(ModelError, match="Retrain it"):
        AdmissionRiskModel.load(directory)
    with pytest.raises(ModelError, match=r"model\.txt is missing"):
        AdmissionRiskModel.load(tmp_path)


def test_the_strongest_contributions_are_those_of_the_full_score(model):
    fitted, people = model
    probabilities, contributions = fitted.score(people)
    fast, strongest = fitted.score_strongest(people, at_least=0.05)
    assert (fast == probabilities).all()  # the same sums in the same order: identical, not just close
    dense = contributions.to_numpy()
    rows, features = np.nonzero(dense >= 0.05)
    got = sorted(zip(strongest.rows.tolist(), strongest.features.tolist(), strict=True))
    assert got == sorted(zip(rows.tolist(), features.tolist(), strict=True))
    assert len(got) > len(people)  # most people have a reason or two
    np.testing.assert_array_equal(
        strongest.values[np.lexsort((strongest.features, strongest.rows))], dense[rows, features]
    )
