"""AutoGenBench: run AutoGen benchmarks repeatedly, in isolation and with instrumentation.

The command line (``autogenbench clone|run|tabulate``) lives in :mod:`autogenbench.cli`; the README next to the
package describes the folder layout of a scenario, of its tasks and of the results.
"""

from .errors import BenchError
from .version import __version__

__all__ = ["BenchError", "__version__"]
