"""The enum tables of the wire: each Python value and its protobuf enum number, one table per enum.

Server and client both read these tables (``to_wire`` on the sending side, ``from_wire`` on the
receiving side), so a new value is added in one place and cannot be mapped one way only.
"""

from __future__ import annotations

from typing import Any, Generic, Hashable, Mapping, TypeVar

from .._proto.v1 import events_pb2, images_pb2, prediction_pb2
from ..errors import ValidationError
from ..outputs import OUTPUTS as OUTPUT_NAMES

V = TypeVar("V", bound=Hashable)

#: dtype names allowed on the wire (little-endian for multi-byte types)
WIRE_DTYPES = (
    "bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32", "float64",
)  # fmt: skip


class EnumTable(Generic[V]):
    """A one-to-one table between Python values and the numbers of one protobuf enum.

    :param what: what the values are, for error messages (``"output"``).
    :param enum: the generated enum wrapper (``prediction_pb2.Output``), for the names of its numbers.
    :param pairs: Python value -> enum number.
    :param unspecified: the value an unset field (the enum's ``*_UNSPECIFIED`` zero) stands for, when
        no Python value maps to zero itself; only read, never sent.
    """

    def __init__(self, what: str, enum: Any, pairs: Mapping[V, int], *, unspecified: V | None = None):
        self.what = what
        self._enum = enum
        self._to_wire = dict(pairs)
        self._from_wire = {number: value for value, number in self._to_wire.items()}
        if len(self._from_wire) != len(self._to_wire):
            raise ValueError(f"{what}: two values share one enum number")
        if unspecified is not None:
            if 0 in self._from_wire or unspecified not in self._to_wire:
                raise ValueError(f"{what}: the unspecified value must be one of the values and zero unused")
            self._from_wire[0] = unspecified

    @property
    def values(self) -> tuple[V, ...]:
        """The Python values, in table order."""
        return tuple(self._to_wire)

    def to_wire(self, value: V) -> int:
        """The enum number of ``value``; :class:`ValidationError` for a value the wire does not know."""
        try:
            return self._to_wire[value]
        except (KeyError, TypeError):
            choices = ", ".join(map(str, self._to_wire))
            raise ValidationError(f"unknown {self.what} {value!r}; choose one of {choices}") from None

    def from_wire(self, number: int) -> V:
        """The Python value of an enum number; :class:`ValidationError` for a number outside the table."""
        try:
            return self._from_wire[number]
        except (KeyError, TypeError):
            names = ", ".join(self._enum.Name(n) for n in sorted(self._from_wire))
            raise ValidationError(f"unknown {self.what} {number!r}; use one of {names}") from None


#: ``Project.add_image(copy=...)``: ``None`` lets the project decide (arrays copied, files referenced)
COPY_MODES: EnumTable[bool | None] = EnumTable(
    "copy mode",
    images_pb2.CopyMode,
    {
        None: images_pb2.COPY_MODE_UNSPECIFIED,
        True: images_pb2.COPY_MODE_INTO_PROJECT,
        False: images_pb2.COPY_MODE_REFERENCE_ONLY,
    },
)

#: prediction outputs (:data:`pixframework.outputs.OUTPUTS`), named alike in the proto enum; unset
#: means probabilities, as the Python default
OUTPUTS: EnumTable[str] = EnumTable(
    "output",
    prediction_pb2.Output,
    {name: prediction_pb2.Output.Value("OUTPUT_" + name.upper()) for name in OUTPUT_NAMES},
    unspecified="probabilities",
)

#: how labels were changed (``labels_changed`` events' ``op``), named alike in the proto enum
LABEL_EDITS: EnumTable[str] = EnumTable(
    "label edit",
    events_pb2.LabelEdit,
    {
        name: events_pb2.LabelEdit.Value("LABEL_EDIT_" + name.upper())
        for name in ("paint", "erase", "set", "clear", "erase_mask", "undo", "redo", "renumber")
    },
)
