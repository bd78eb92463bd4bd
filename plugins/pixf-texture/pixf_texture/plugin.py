"""The plugin module named by the entry point: declares the texture filters to pixframework."""

from __future__ import annotations

from pixframework.hookspecs import hookimpl
from pixframework.specs import FilterSpec, Parameter

from . import gabor, lbp, membrane, variance

FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec(
        name="gabor_energy",
        title="Gabor Energy",
        description="Gabor filter bank: local energy (window 2 s) of waves of wavelength s / frequency at 0/45/90/135 degrees (2D).",
        compute=gabor.gabor_energy,
        parameters=(
            Parameter(
                "frequency",
                gabor.DEFAULT_FREQUENCY,
                "float",
                "waves per scale (sigma): the wavelength is scale / frequency pixels",
                minimum=0.1,
                maximum=1.0,
            ),
        ),
        halo=gabor.halo,
        n_outputs=lambda ndim: len(gabor.ORIENTATIONS),
        output_names=gabor.output_names,
        dims=(2,),
        min_scale=0.7,
        derivatives=lambda ndim: [(0, 0)],
    ),
    FilterSpec(
        name="local_binary_patterns",
        title="Local Binary Pattern Histogram",
        description="Local histogram (window 2 s) of rotation-invariant uniform LBP labels, radius s (2D).",
        compute=lbp.lbp_histogram,
        halo=lbp.halo,
        n_outputs=lambda ndim: lbp.N_LABELS,
        output_names=lbp.output_names,
        dims=(2,),
        min_scale=1.0,
    ),
    FilterSpec(
        name="local_variance",
        title="Local Variance",
        description="Gaussian-weighted local variance G_s * (f - G_s * f)^2 (2D and 3D).",
        compute=variance.local_variance,
        halo=variance.halo,
        dims=(2, 3),
        min_scale=0.7,
        derivatives=lambda ndim: [(0,) * ndim],
    ),
    FilterSpec(
        name="membrane_projections",
        title="Membrane Projections",
        description="Line filters of half-length ceil(3 s) at 12 orientations: mean/std/median/max/min (2D).",
        compute=membrane.membrane_projections,
        halo=membrane.halo,
        n_outputs=lambda ndim: len(membrane.PROJECTIONS),
        output_names=membrane.output_names,
        dims=(2,),
        min_scale=0.7,
    ),
)


@hookimpl
def pixf_register_filters() -> list[FilterSpec]:
    """Gabor energy, LBP histograms, local variance and membrane projections."""
    return list(FILTERS)
