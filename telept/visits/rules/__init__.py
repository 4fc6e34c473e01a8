"""Pure rules of video visits: no Django, no I/O, only values in and values out.

One module per rule, imported explicitly by the services and consumers that need it:

- `quality`: the call-quality controller (getStats snapshots in, full / reduced /
  audio-only mode changes out), ported line for line to `static/js/quality.js`;
- `turn`: short-lived TURN REST credentials for coturn's `use-auth-secret`, so no static
  TURN password ever reaches a browser.
"""
