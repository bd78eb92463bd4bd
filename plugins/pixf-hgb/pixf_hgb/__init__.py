"""pixf-hgb: scikit-learn's histogram gradient boosting as a pixframework classifier plugin.

Trained by scikit-learn, stored as plain tree arrays plus JSON (never pickle), predicted by a
small compiled tree walker (:mod:`pixf_hgb.trees`).
"""

__version__ = "0.1.0"
