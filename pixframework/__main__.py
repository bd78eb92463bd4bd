"""``python -m pixframework`` is the same as the ``pixf`` command."""

import sys

from .cli import main

sys.exit(main())
