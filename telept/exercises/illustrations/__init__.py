"""Generated illustrations of the built-in exercises (Issue 13 item 1).

`poses` holds each exercise's key poses as joint angles; `kinematics` turns angles into
landmark positions of a fixed-proportion figure (MediaPipe's landmark names); `render` draws
inline SVG that `static/js/figure.js` animates. A practice's own photo or video wins over
the drawing (see `exercises/_figure.html`).
"""

from telept.exercises.illustrations.poses import ILLUSTRATIONS
from telept.exercises.illustrations.render import figure_svg, placed

__all__ = ["ILLUSTRATIONS", "figure_svg", "placed"]
