"""Image I/O: format plugins, dispatch by path and content, axes rules.

- :mod:`pixframework.io.dispatch`: ``find_format``, ``open_image``, ``read_image``,
  ``create_image``, ``write_image``: the API the rest of pixframework reads and writes with.
- :mod:`pixframework.io.axes`: axes letters, the inference rule, canonical ``(z)yxc`` views.
- One module per built-in format (``tiff``, ``png``, ``jpeg``, ``npy``, ``plain_zarr``,
  ``ome_zarr``, ``h5``), declared as plugins in :mod:`pixframework.builtins.formats`; shared
  pieces in ``reader``, ``writer``, ``layout``, ``paths``, ``failures``, ``zarr_nodes``, ``ngff``.

See ``docs/formats.md`` for the table of formats and the rules.
"""
