"""jic: a joint information center.

Several member organisations gather current information about a region, process it
into sourced facts and analyse it together. See docs/ARCHITECTURE.md for the map.
"""

__version__ = "0.1.0.dev0"
