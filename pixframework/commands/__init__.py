"""Sub-commands of ``pixf``: one module each, with ``add_parser(sub, name)`` and ``run(args)``."""
