"""dmdesk: planning, stock and work orders for a distributed manufacturing network."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dmdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
