"""Renderers: journey maps as Graphviz DOT, SVG, PNG and PDF; charts; the report; the
words people read.

Renderers turn the small tables the analyses return into pictures and text; they never
compute measures.

Examples
--------
>>> from journeymap.render import human_duration, thousands
>>> human_duration(5400), thousands(4210)
('1.5 h', '4,210')
"""

from journeymap.render.handoffs import handoff_network_dot
from journeymap.render.journey import journey_dot
from journeymap.render.numbers import human_duration, thousands
from journeymap.render.pictures import DRAW_FORMATS, draw

__all__ = [
    "DRAW_FORMATS",
    "draw",
    "handoff_network_dot",
    "human_duration",
    "journey_dot",
    "thousands",
]
