"""Arrays, regions and parameter values to and from their wire messages."""

from __future__ import annotations

import numpy as np
import pytest

from pixframework._proto.v1 import arrays_pb2
from pixframework.errors import LimitExceeded, ValidationError
from pixframework.wire import arrays, values
from pixframework.specs import Parameter


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int16", ">u2", "<i4", "uint64", "float32", ">f8"])
def test_arrays_round_trip_in_chunks_in_any_byte_order(dtype: str) -> None:
    rng = np.random.default_rng(1)
    array = (rng.random((7, 5, 3)) * 100).astype(dtype)
    chunks = list(arrays.encode_chunks(array, chunk_bytes=16, axes="yxc"))
    assert len(chunks) == -(-array.nbytes // 16)
    assert chunks[0].header.axes == "yxc" and all(not c.HasField("header") for c in chunks[1:])
    back = arrays.decode_chunks(chunks)
    assert back.dtype == np.dtype(dtype).newbyteorder("=") and back.dtype.isnative
    np.testing.assert_array_equal(back, array)


def test_non_contiguous_and_empty_arrays_round_trip() -> None:
    array = np.arange(60, dtype=np.float32).reshape(6, 10)[::2, ::3]
    np.testing.assert_array_equal(arrays.decode_chunks(arrays.encode_chunks(array, 8)), array)
    empty = np.zeros((0, 4), np.uint8)
    assert arrays.decode_chunks(arrays.encode_chunks(empty, 8)).shape == (0, 4)
    np.testing.assert_array_equal(arrays.decode_ndarray(arrays.encode_ndarray(array)), array)


def test_unsupported_dtypes_are_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="complex128"):
        list(arrays.encode_chunks(np.zeros(3, complex), 8))
    with pytest.raises(ValidationError, match="unknown array dtype 'float16'"):
        arrays.check_header(arrays_pb2.ArrayHeader(dtype="float16", shape=[2]))


def test_headers_are_checked_before_allocating() -> None:
    huge = arrays_pb2.ArrayHeader(dtype="float64", shape=[10**12, 10**12])
    with pytest.raises(LimitExceeded, match="at most 1000 bytes"):
        arrays.ArrayReceiver(huge, max_bytes=1000)
    with pytest.raises(ValidationError, match="negative"):
        arrays.ArrayReceiver(arrays_pb2.ArrayHeader(dtype="uint8", shape=[3, -1]))
    with pytest.raises(ValidationError, match="at most 2"):
        arrays.ArrayReceiver(arrays_pb2.ArrayHeader(dtype="uint8", shape=[1, 1, 1]), max_ndim=2)
    with pytest.raises(ValidationError, match="axes 'yx' do not match"):
        arrays.ArrayReceiver(arrays_pb2.ArrayHeader(dtype="uint8", shape=[1, 1, 1], axes="yx"))


def test_byte_counts_must_match_shape_times_dtype() -> None:
    header = arrays_pb2.ArrayHeader(dtype="uint16", shape=[2, 3])
    short = arrays.ArrayReceiver(header)
    short.add(b"\x00" * 11)
    with pytest.raises(ValidationError, match="has 11 bytes but shape \\[2, 3\\] x uint16 needs 12"):
        short.finish()
    long = arrays.ArrayReceiver(header)
    with pytest.raises(ValidationError, match="more than 12 bytes"):
        long.add(b"\x00" * 13)
    ordered = arrays.ArrayReceiver(header)
    with pytest.raises(ValidationError, match="out of order"):
        ordered.add(b"\x00" * 4, offset=4)


def test_streams_without_header_or_messages_are_refused() -> None:
    with pytest.raises(ValidationError, match="empty"):
        arrays.decode_chunks([])
    with pytest.raises(ValidationError, match="header"):
        arrays.decode_chunks([arrays_pb2.ArrayChunk(data=b"12")])


def test_regions_round_trip_and_whole_image_is_empty() -> None:
    region = (slice(2, 10), slice(0, 5))
    assert arrays.region_from_proto(arrays.region_to_proto(region)) == region
    assert arrays.region_from_proto(arrays.region_to_proto(None)) is None
    with pytest.raises(ValidationError, match="starts but"):
        arrays.region_from_proto(arrays_pb2.Region(start=[1, 2], stop=[3]))
    with pytest.raises(ValidationError, match="step 1"):
        arrays.region_to_proto((slice(0, 4, 2),))


@pytest.mark.parametrize("value", [None, True, 3, 2.5, "gini"])
def test_parameter_values_keep_their_python_type(value: object) -> None:
    back = values.value_from_proto(values.value_to_proto(value))
    assert back == value and type(back) is type(value)


def test_parameter_info_carries_bounds_and_choices() -> None:
    info = values.parameter_info(Parameter("depth", 10, "int", "tree depth", minimum=1, maximum=None, nullable=True))
    assert (info.name, info.type, info.default.int_value, info.nullable) == ("depth", "int", 10, True)
    assert info.HasField("minimum") and not info.HasField("maximum")
    choice = values.parameter_info(Parameter("criterion", "gini", "str", choices=("gini", "entropy")))
    assert [c.string_value for c in choice.choices] == ["gini", "entropy"]
