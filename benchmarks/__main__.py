"""``python -m benchmarks``: the solver performance suite (see :mod:`benchmarks.suite`)."""

import sys

from .suite import main

sys.exit(main())
