"""gRPC servicers, one per service, each a thin adapter over :class:`~pixframework.project.Project`.

They translate messages to Python values (via :mod:`pixframework.wire`), call the project
of the session, and translate the result back. They raise domain errors and never set status codes
themselves: :mod:`pixframework.server.status` maps errors for every handler in one place,
reading the table of :mod:`pixframework.wire.status`.
"""
