"""The patient pages' JavaScript strings, for the Spanish catalogue `djangojs` (gettext-free).

Patient scripts wrap what they show in `tr("…")` (or `t("…")` / `gettext("…")`), each defined
as `globalThis.gettext` from Django's JavaScriptCatalog (`/accounts/jsi18n/`, loaded as a
script before the module) or the English text when the catalogue is absent. xgettext does
not know `tr`, so `strings_in` reads the calls itself and `catalogue_update` merges them into
telept/locale/<lang>/LC_MESSAGES/djangojs.po, keeping translations; `manage.py
catalogue_compile` then writes the .mo. Interpolation is `.replace("%(name)s", value)`.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PATIENT_JS = ("static/js/visit.js", "static/js/visit/devices.js", "static/js/hep.js",
              "static/js/offline.js", "static/js/recording.js", "static/js/visit/motion.js",
              "static/js/visit/clips.js", "static/js/second-camera.js",
              "static/js/camera-seat.js")
_CALL = re.compile(r"""\b(?:tr|t|gettext)\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*[,)]""")


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def strings_in(paths: tuple[str, ...] = PATIENT_JS) -> dict[str, list[str]]:
    """msgid -> ["path:line", ...] for every wrapped string of the patient scripts."""
    found: dict[str, list[str]] = {}
    for rel in paths:
        path = ROOT / rel
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.lstrip().startswith("//"):
                continue
            for match in _CALL.finditer(line):
                found.setdefault(_unquote(match.group(1)), []).append(f"{rel}:{number}")
    return found


def server_strings() -> dict[str, list[str]]:
    """Sentences the server sends in English that a patient script shows through
    `tr(value)`: the clip request's consent wording and its movement names (visit/clips.js).
    """
    from telept.exercises.models import Recording
    from telept.visits.clips import CONSENT_TEXT, clip_label
    from telept.visits.services import MEASURED_MOTION

    rel = "telept/visits/clips.py"
    lines = (ROOT / rel).read_text().splitlines()
    line = next((n for n, text in enumerate(lines, start=1) if "CONSENT_TEXT =" in text), 1)
    texts = [CONSENT_TEXT, *sorted({clip_label(exercise, side) for exercise in MEASURED_MOTION
                                    for side in Recording.Side.values})]
    return {text: [f"{rel}:{line}"] for text in texts}


def catalogue_update(po_path: Path) -> polib.POFile:
    """Add new strings, drop gone ones, keep every translation; return the catalogue."""
    wanted = strings_in()
    for msgid, where in server_strings().items():
        wanted.setdefault(msgid, []).extend(where)
    po = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
    po.metadata = po.metadata or {
        "Project-Id-Version": "TelePT", "Language": po_path.parts[-3],
        "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    known = {entry.msgid: entry for entry in po}
    for entry in list(po):
        if entry.msgid not in wanted:
            po.remove(entry)
    for msgid, where in sorted(wanted.items()):
        entry = known.get(msgid)
        if entry is None:
            entry = polib.POEntry(msgid=msgid, msgstr="")
            po.append(entry)
        entry.occurrences = [tuple(w.rsplit(":", 1)) for w in where]  # type: ignore[misc]
    po.save(str(po_path))
    return po
