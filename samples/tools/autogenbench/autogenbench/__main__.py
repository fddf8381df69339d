"""``python -m autogenbench`` is the ``autogenbench`` command."""

import sys

from .cli import main

sys.exit(main())
