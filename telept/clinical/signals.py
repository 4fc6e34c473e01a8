"""Signals clinical sends to the apps above it (billing), so clinical never imports them.

`note_finalised` is sent once the transaction that made it true has committed (DESIGN
"The apps still to come"), with keyword arguments:

- ``note_id`` (int): the note;
- ``reason`` (str): "signed" (a PT's note became final on signing), "cosigned" (a PTA's note
  became final on co-signature) or "addendum" (an addendum corrected the interventions'
  minutes);
- ``actor``: the Actor who signed, co-signed or wrote the addendum;
- ``interventions``: for "addendum", the corrected interventions as a tuple of
  ``{"cpt_code", "minutes", "provider_id"}`` dicts (they replace the note's own rows for
  billing: signed rows are locked); None otherwise.
"""

from __future__ import annotations

import django.dispatch

note_finalised = django.dispatch.Signal()
