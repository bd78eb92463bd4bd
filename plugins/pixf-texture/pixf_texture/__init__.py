"""pixf-texture: texture filters for pixframework beyond ilastik's set.

Gabor energy, local binary pattern histograms, local variance and Weka-style membrane
projections, registered through the ``pixf_register_filters`` hook (see :mod:`pixf_texture.plugin`).
"""

__version__ = "0.1.0"
