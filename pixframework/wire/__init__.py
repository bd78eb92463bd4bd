"""The wire format, shared by the server (:mod:`pixframework.server`) and the client (:mod:`pixframework.client`).

- :mod:`.arrays`: numpy arrays as raw bytes plus a header, in one message or a stream of chunks; regions.
- :mod:`.values`: plugin parameter values and descriptions.
- :mod:`.enums`: one table per protobuf enum (copy modes, outputs) and the dtypes the wire carries.
- :mod:`.messages`: small messages both sides write and read (class references, image and plugin
  descriptions, JSON documents such as the feature selection).
- :mod:`.status`: domain errors <-> gRPC status codes, the one table read in both directions.
- :mod:`.metadata`: the metadata key names (token, error class, plugin).

Neither side owns this package: the client imports nothing from ``server/``.
"""
