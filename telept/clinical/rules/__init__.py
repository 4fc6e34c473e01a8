"""Rules of the clinical record, in plain Python with no Django import (DESIGN rule 4).

One module per rule: `schedule` (when a measure is due), `trend` (geometry of the score
chart), `goals` (progress toward a target), `complexity` (evaluation complexity -> CPT),
`digest` (the content hash that locks a signed note), `attachments` (which files a message
may carry), `feedback` (NPS and friends). Each is tested with tables and properties.
"""
