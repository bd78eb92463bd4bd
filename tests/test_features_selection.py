"""FeatureSelection: the default set, JSON round trip, validation, names, halos."""

from __future__ import annotations

import json

import pytest

from pixframework.errors import ValidationError
from pixframework.features import FeatureEntry, FeatureSelection
from pixframework.features.selection import DEFAULT_FILTERS, DEFAULT_SCALES
from pixframework.registry import get_registry


def test_default_is_ilastiks_full_set_with_49_channels_in_2d():
    selection = FeatureSelection.default()
    assert len(selection) == 7 + 5 * 6
    assert selection.n_features(2, 1) == 49
    assert selection.n_features(2, 3) == 3 * 49
    assert selection.n_features(3, 1) == 7 + 3 * 6 + 2 * 3 * 6
    assert selection.scales == DEFAULT_SCALES
    assert selection.filters == DEFAULT_FILTERS
    assert ("gaussian_smoothing", 0.3) in [(e.filter, e.scale) for e in selection]
    assert ("laplacian_of_gaussian", 0.3) not in [(e.filter, e.scale) for e in selection]


def test_builtin_filters_are_registered_in_ilastik_order():
    registry = get_registry()
    assert list(registry.filters)[:6] == list(DEFAULT_FILTERS)
    assert all(registry.filter(name).plugin == "builtin-filters" for name in DEFAULT_FILTERS)


def test_canonical_order_equality_and_hash_ignore_input_order():
    a = FeatureSelection([("hessian_of_gaussian_eigenvalues", 1.0), ("gaussian_smoothing", 3.5), ("gaussian_smoothing", 1.0)])
    b = FeatureSelection([("gaussian_smoothing", 1.0), ("hessian_of_gaussian_eigenvalues", 1.0), ("gaussian_smoothing", 3.5)])
    assert a == b and hash(a) == hash(b)
    assert [e.label() for e in a.entries] == [
        "gaussian_smoothing(sigma=1.0)",
        "gaussian_smoothing(sigma=3.5)",
        "hessian_of_gaussian_eigenvalues(sigma=1.0)",
    ]
    assert a != FeatureSelection([("gaussian_smoothing", 1.0)])


def test_json_round_trip_through_text():
    selection = FeatureSelection(
        [("gaussian_smoothing", 0.3), FeatureEntry("structure_tensor_eigenvalues", 2.25, in_2d=True),
         {"filter": "difference_of_gaussians", "scale": 10}]
    )
    doc = json.loads(json.dumps(selection.to_json()))
    assert doc["version"] == 1
    again = FeatureSelection.from_json(doc)
    assert again == selection and again.entries == selection.entries
    assert again.entries[-1].in_2d is True


def test_from_matrix():
    selection = FeatureSelection.from_matrix(
        ["gaussian_smoothing", "laplacian_of_gaussian"], [0.7, 1.6], [[True, False], [False, True]]
    )
    assert [(e.filter, e.scale) for e in selection] == [("gaussian_smoothing", 0.7), ("laplacian_of_gaussian", 1.6)]
    with pytest.raises(ValidationError, match="shape"):
        FeatureSelection.from_matrix(["gaussian_smoothing"], [0.7, 1.6], [[True]])


def test_channel_names_are_stable_and_descriptive():
    selection = FeatureSelection([("structure_tensor_eigenvalues", 1.6), ("gaussian_smoothing", 1.0)])
    assert selection.channel_names(2, 2) == [
        "gaussian_smoothing(sigma=1.0)[c0]",
        "gaussian_smoothing(sigma=1.0)[c1]",
        "structure_tensor_eigenvalues(sigma=1.6)[c0][ev0]",
        "structure_tensor_eigenvalues(sigma=1.6)[c0][ev1]",
        "structure_tensor_eigenvalues(sigma=1.6)[c1][ev0]",
        "structure_tensor_eigenvalues(sigma=1.6)[c1][ev1]",
    ]
    assert len(selection.channel_names(3, 1)) == 1 + 3
    names = FeatureSelection.default().channel_names(2)
    assert len(set(names)) == len(names) == 49


def test_halo_comes_from_the_specs():
    selection = FeatureSelection([("gaussian_smoothing", 1.0), ("hessian_of_gaussian_eigenvalues", 3.5)])
    assert selection.halo(2) == 14  # ceil(4 * 3.5)
    assert FeatureSelection([("structure_tensor_eigenvalues", 2.0)]).halo(2) == 7 + 3  # gradient + smoothing
    mixed = FeatureSelection([("gaussian_smoothing", 1.0), ("laplacian_of_gaussian", 5.0, True)])
    assert mixed.halo_per_axis(3) == (3, 20, 20)


@pytest.mark.parametrize(
    "entries, message",
    [
        ([("gaussian_smoothing", 0)], "positive"),
        ([("gaussian_smoothing", -1.0)], "positive"),
        ([("gaussian_smoothing", float("nan"))], "positive"),
        ([("gaussian_smoothing", "1.0")], "must be a number"),
        ([("gaussian_smoothing",)], "filter, scale"),
        ([("gaussian_smoothing", 1.0), ("gaussian_smoothing", 1.0)], "listed twice"),
        ([("gaussian_smoothing", 1.0, "yes")], "in_2d"),
    ],
)
def test_malformed_entries_are_rejected(entries, message):
    with pytest.raises(ValidationError, match=message):
        FeatureSelection(entries)


def test_validate_names_the_bad_entry():
    with pytest.raises(ValidationError, match=r"gaussian_smothing\(sigma=1.0\).*did you mean 'gaussian_smoothing'"):
        FeatureSelection([("gaussian_smothing", 1.0)]).validate()
    with pytest.raises(ValidationError, match=r"laplacian_of_gaussian\(sigma=0.3\).*below the filter's minimum 0.7"):
        FeatureSelection([("laplacian_of_gaussian", 0.3)]).validate()
    with pytest.raises(ValidationError, match=r"sigma=10.0.*too large.*36 pixels along x.*has 30"):
        FeatureSelection([("gaussian_smoothing", 10.0)]).validate(spatial_shape=(100, 30))
    with pytest.raises(ValidationError, match="along z.*compute it in 2D"):
        FeatureSelection([("gaussian_smoothing", 1.6)]).validate(spatial_shape=(4, 100, 100))
    FeatureSelection([("gaussian_smoothing", 1.6, True)]).validate(spatial_shape=(4, 100, 100))
    with pytest.raises(ValidationError, match="in_2d only applies to 3D"):
        FeatureSelection([("gaussian_smoothing", 1.6, True)]).validate(spatial_shape=(100, 100))
    with pytest.raises(ValidationError, match="empty"):
        FeatureSelection([]).validate()


def test_bad_json_documents():
    with pytest.raises(ValidationError, match="version"):
        FeatureSelection.from_json({"version": 99, "entries": []})
    with pytest.raises(ValidationError):
        FeatureSelection.from_json({"entries": "gaussian_smoothing"})
    with pytest.raises(ValidationError):
        FeatureSelection.from_json({"version": 1, "entries": [{"filter": "gaussian_smoothing"}]})
    with pytest.raises(ValidationError):
        FeatureSelection.from_json({"version": 1, "entries": [], "extra": 1})
