"""The Qt views of the napari client: thin widgets over :class:`pixframework.napari.model.SessionModel`.

Everything that touches Qt lives in this package; the model, the connection, label sync and live
update outside it run (and are tested) without Qt.
"""
