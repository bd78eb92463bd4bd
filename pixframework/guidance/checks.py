"""Argument checks shared by the project and the remote client (so both refuse the same calls alike)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ValidationError

#: most suggestions one call may ask for
MAX_SUGGESTIONS = 1000
#: seeds are unsigned 64-bit numbers (numpy's and the wire's)
MAX_SEED = 2**64 - 1
#: most feature channels a limit may name (the wire's int32)
MAX_CHANNELS = 2**31 - 1


def _whole(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_count(n: Any) -> int:
    """The number of label suggestions asked for, 1..:data:`MAX_SUGGESTIONS`."""
    if not _whole(n) or not 1 <= n <= MAX_SUGGESTIONS:
        raise ValidationError(f"the number of suggestions must be a whole number from 1 to {MAX_SUGGESTIONS}, got {n!r}")
    return int(n)


def check_seed(seed: Any) -> int:
    """A seed, 0..2**64 - 1."""
    if not _whole(seed) or not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"the seed must be a whole number from 0 to 2**64 - 1, got {seed!r}")
    return int(seed)


def check_max_channels(value: Any, smallest: int = 1) -> int | None:
    """``None`` (no limit) or a channel count from ``smallest`` (the smallest entry's channels) up."""
    if value is None:
        return None
    if not _whole(value) or not smallest <= value <= MAX_CHANNELS:
        raise ValidationError(
            f"the most feature channels to keep must be a whole number from {smallest} (the smallest "
            f"entry's channels) to {MAX_CHANNELS}, got {value!r}"
        )
    return int(value)
