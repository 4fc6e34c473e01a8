"""Spanish for patients (Issue 13 item 2): the catalogue is complete and compiled.

Which templates are patient-facing: the declared list `PATIENT_TEMPLATES` below, plus, by
convention, every `*/templates/*/portal*.html` (a new portal page is covered without being
listed). In those templates every text node and every `placeholder`, `aria-label`, `title`
and `alt` value must be inside `{% translate %}` / `{% blocktranslate %}` or come from a
variable, except in the branches that only staff see (`STAFF_BRANCHES`: e.g. the `else` of
`{% if actor.is_patient %}` in base.html, the host's controls in the video visit). Staff
pages are not translated and are not listed.

Every msgid those templates use (literal `translate`, `blocktranslate` singular and plural,
`_("…")` filter arguments such as date formats) must have a Spanish msgstr, and the catalogue
has no untranslated or fuzzy entry. The .mo files are committed; the freshness test compiles
the .po in memory with polib and compares it with the committed .mo, so CI needs no gettext.
Rebuild both after changing wrapped strings: `make messages` (see the Makefile).
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.template import Node
from django.template.base import FilterExpression, Lexer, TokenType, Variable
from django.template.loader import get_template
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "telept" / "locale" / "es" / "LC_MESSAGES"

PATIENT_TEMPLATES = [
    "base.html", "error.html", "403.html",
    "accounts/_language_switch.html", "accounts/_language_switch_control.html",
    "accounts/login.html", "accounts/magic_request.html",
    "accounts/magic_sent.html", "accounts/magic_confirm.html", "accounts/magic_invalid.html",
    "accounts/portal_invitation.html", "accounts/password_set.html",
    "accounts/password_reset.html", "accounts/password_reset_done.html",
    "accounts/password_reset_confirm.html", "accounts/password_reset_complete.html",
    "patients/portal_home.html", "patients/_record.html",
    "scheduling/portal_appointments.html", "scheduling/portal_book.html",
    "scheduling/_booking_fields.html", "scheduling/_slots.html", "scheduling/public_book.html",
    "scheduling/public_book_thanks.html", "scheduling/join_refused.html",
    "visits/visit.html", "visits/room.html",
    "exercises/portal.html", "exercises/session.html", "exercises/_exercise_body.html",
    "exercises/_substitutes.html", "exercises/_media.html", "exercises/_stop_rules.html",
    "exercises/recording_new.html", "exercises/recording_portal_detail.html",
    "exercises/recording_portal_list.html", "exercises/program_print.html",
    "clinical/_portal.html", "clinical/_goals.html", "clinical/_measure_form.html",
    "clinical/_thread.html", "clinical/_thread_list.html", "clinical/_note_body.html",
    "clinical/portal_article.html", "clinical/portal_education.html",
    "clinical/portal_feedback.html", "clinical/portal_measure.html",
    "clinical/portal_measures.html", "clinical/portal_messages.html",
    "clinical/portal_note.html", "clinical/portal_notes.html", "clinical/portal_thread.html",
    "clinical/portal_thread_new.html",
    "rtm/portal.html", "rtm/portal_consent.html",
    "billing/portal_statements.html", "billing/_money.html",
]
# {% if <condition> %}: which branch only staff see ("if": the if branch; "else": elif/else).
STAFF_BRANCHES = {
    "actor.is_patient": "else", "seat.is_host": "if", "portal": "else", "can_issue": "if",
    "not actor.is_patient and show_patient": "if", "can_edit_goals": "if",
    "can_save_board": "if", "can_measure": "if", "note_url": "if", "record_url": "if",
}
CHECKED_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}
# Names, the same in every language; a language's own name in the switcher ("English").
NOT_WORDS = {"TelePT", "CPT", "English", "Español"}
HOLE = "\ue000"  # stands for a variable, a tag or translated text in the skeleton
WORD = re.compile(r"[^\W\d_]{2,}")


def template_names() -> list[str]:
    names = set(PATIENT_TEMPLATES)
    for path in (ROOT / "telept").glob("*/templates/*/portal*.html"):
        names.add(f"{path.parent.name}/{path.name}")
    return sorted(names)


def template_source(name: str) -> str:
    return Path(get_template(name).origin.name).read_text()


def skeleton(source: str) -> str:
    """The template's HTML with every tag, variable, translated text and staff-only branch
    replaced by HOLE: what is left is text a translator never saw."""
    out: list[str] = []
    frames: list[list[str]] = []  # [condition, branch]
    skip_until: str | None = None
    for token in Lexer(source).tokenize():
        if skip_until:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skip_until:
                skip_until = None
            out.append(HOLE)
            continue
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split(None, 1)
            tag = bits[0]
            if tag in ("blocktranslate", "blocktrans"):
                skip_until = "end" + tag
            elif tag == "comment":
                skip_until = "endcomment"
            elif tag == "if":
                frames.append([bits[1] if len(bits) > 1 else "", "if"])
            elif tag in ("elif", "else") and frames:
                frames[-1][1] = "else"
            elif tag == "endif" and frames:
                frames.pop()
            out.append(HOLE)
        elif token.token_type in (TokenType.VAR, TokenType.COMMENT) or any(
                STAFF_BRANCHES.get(cond) == branch for cond, branch in frames):
            out.append(HOLE)
        else:
            out.append(token.contents)
    return "".join(out)


class _Untranslated(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._raw = 0

    def _check(self, text: str, where: str) -> None:
        words = [w for w in WORD.findall(text.replace(HOLE, " ")) if w not in NOT_WORDS]
        if words:
            self.found.append(f"{where}: {' '.join(text.replace(HOLE, '…').split())!r}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw += 1
        for name, value in attrs:
            if name in CHECKED_ATTRIBUTES and value:
                self._check(value, f"<{tag} {name}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = max(0, self._raw - 1)

    def handle_data(self, data: str) -> None:
        if not self._raw:
            self._check(data, "text")


def untranslated_texts(source: str) -> list[str]:
    parser = _Untranslated()
    parser.feed(skeleton(source))
    parser.close()
    return parser.found


def _catalogue() -> polib.POFile:
    return polib.pofile(str(LOCALE / "django.po"))


def _translated_literals(expression: FilterExpression) -> list[str]:
    found = []
    candidates = [expression.var] + [arg for _, args in expression.filters
                                     for lookup, arg in args if not lookup]
    for var in candidates:
        if isinstance(var, Variable) and var.translate and var.literal is not None:
            found.append(str(var.literal))
    return found


def template_msgids(name: str) -> list[str]:
    """The msgids a template asks the catalogue for (variables aside)."""
    ids: list[str] = []
    for node in get_template(name).template.nodelist.get_nodes_by_type(Node):
        if isinstance(node, TranslateNode) and node.filter_expression.var.literal is not None:
            ids.append(str(node.filter_expression.var.literal))
        elif isinstance(node, BlockTranslateNode):
            ids.append(node.render_token_list(node.singular)[0])
            if node.plural:
                ids.append(node.render_token_list(node.plural)[0])
        for value in vars(node).values():
            values = value.values() if isinstance(value, dict) else [value]
            for item in values:
                if isinstance(item, FilterExpression):
                    ids.extend(_translated_literals(item))
    return ids


def test_the_scanner_finds_what_it_must() -> None:
    """The checker itself: bare text and attributes are found; translated text, variables,
    comments, scripts and staff-only branches are not."""
    found = untranslated_texts(
        '{% load i18n %}<p>Bare words</p><p>{% translate "Fine" %} {{ name }} · 12</p>'
        '<input placeholder="Type here"><img alt="{{ x }}">'
        '{% blocktranslate %}Also {{ fine }}{% endblocktranslate %}{# a note #}'
        '{% comment %}Not shown{% endcomment %}<script>const a = "Not text";</script>'
        '{% if actor.is_patient %}{% translate "Mine" %}{% else %}Staff only{% endif %}'
        '{% if seat.is_host %}Host only{% else %}Guest words{% endif %} TelePT')
    text = " ".join(found)
    for bare in ("Bare words", "Type here", "Guest words"):
        assert bare in text
    for fine in ("Fine", "Also", "note", "Not shown", "Not text", "Mine", "Staff only",
                 "Host only"):
        assert fine not in text
    assert len(found) == 3
    assert untranslated_texts("<p>TelePT · 12 · CPT 97110</p>") == []


@pytest.mark.parametrize("name", template_names())
def test_patient_template_has_no_untranslated_text(name: str) -> None:
    assert untranslated_texts(template_source(name)) == [], (
        f"{name}: wrap these in {{% translate %}} / {{% blocktranslate %}} and add the Spanish "
        "to telept/locale/es/LC_MESSAGES/django.po (make messages)")


def test_every_msgid_of_the_patient_templates_has_spanish() -> None:
    translated = {e.msgid for e in _catalogue().translated_entries()}
    translated |= {e.msgid_plural for e in _catalogue().translated_entries() if e.msgid_plural}
    missing = {f"{name}: {msgid!r}" for name in template_names()
               for msgid in template_msgids(name) if msgid not in translated}
    assert not missing, sorted(missing)


def test_catalogue_has_no_untranslated_fuzzy_or_obsolete_entry() -> None:
    po = _catalogue()
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    assert len(po) > 400  # the patient pages, forms, labels and messages


def test_spanish_keeps_every_placeholder() -> None:
    """`%(name)s` in the English must be in the Spanish (a lost one raises at render)."""
    holes = re.compile(r"%\(\w+\)s|%%")
    for entry in _catalogue():
        pairs = ([(entry.msgid, entry.msgstr)] if not entry.msgid_plural else
                 [(entry.msgid, entry.msgstr_plural[0]),
                  (entry.msgid_plural, entry.msgstr_plural[1])])
        for english, spanish in pairs:
            if "%(" in english or "python-format" in entry.flags:
                assert sorted(holes.findall(english)) == sorted(holes.findall(spanish)), english


def test_committed_mo_files_are_up_to_date_with_the_po() -> None:
    """Compiling the .po now gives exactly the committed .mo's messages."""
    for po_path in sorted(LOCALE.glob("*.po")):
        po = polib.pofile(str(po_path))
        committed = polib.mofile(str(po_path.with_suffix(".mo")))

        def table(entries: list[polib._BaseEntry]) -> dict[str, object]:
            return {e.msgid: (e.msgstr if not e.msgid_plural else
                              tuple(sorted(e.msgstr_plural.items()))) for e in entries}

        wanted = table([e for e in po.translated_entries() if not e.obsolete])
        assert table(list(committed)) == wanted, (
            f"{po_path.with_suffix('.mo').name} is stale: run `make messages` and commit it")


def test_labels_list_matches_the_models() -> None:
    """Choice labels patients read through `{% translate a.get_..._display %}` are listed in
    telept/accounts/i18n_labels.py so that they reach the catalogue."""
    from telept.accounts.i18n_labels import LABELS
    from telept.exercises.models import ExerciseLog, Recording
    from telept.patients.models import Consent, Patient
    from telept.scheduling.models import Appointment, Modality
    from telept.visits.models import Participant

    for choices in (Modality, Appointment.Status, Participant.Location, Patient.Sex,
                    Consent.Kind, ExerciseLog.Status, ExerciseLog.Difficulty, Recording.Side):
        missing = {label for label in choices.labels if label not in LABELS}
        assert not missing, f"{choices.__qualname__}: add {sorted(missing)} to i18n_labels"
    from telept.clinical.models import TECHNICAL_PROBLEMS

    assert {label for _, label in TECHNICAL_PROBLEMS} <= set(LABELS)


def test_every_string_of_the_patient_scripts_has_spanish() -> None:
    """`tr("…")` in the patient scripts (telept.accounts.js_messages) is in djangojs.po."""
    from telept.accounts.js_messages import server_strings, strings_in

    found = strings_in()
    assert "Checking your connection…" in found and "Mute" in found
    assert "Yes, record the clip" in found  # visit/clips.js, the clip-consent dialog
    for msgid, where in server_strings().items():  # sent in English, shown through tr()
        found.setdefault(msgid, []).extend(where)
    po = polib.pofile(str(LOCALE / "djangojs.po"))
    translated = {e.msgid for e in po.translated_entries()}
    missing = {f"{where[0]}: {msgid!r}" for msgid, where in found.items()
               if msgid not in translated}
    assert not missing, f"run `make messages` and translate: {sorted(missing)}"


GETTEXT_CALLS = {"gettext": 0, "gettext_lazy": 0, "gettext_noop": 0, "_": 0, "ngettext": 0,
                 "ngettext_lazy": 0, "pgettext": 1, "pgettext_lazy": 1, "npgettext": 1}


def python_msgids(root: Path = ROOT / "telept") -> dict[str, list[str]]:
    """msgid -> ["path:line"] of every literal handed to gettext & co. in the Python sources
    (tests and migrations aside): refusals, messages and labels a patient may read, and the
    English sentences the visit socket and the payer rules translate when they send them."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).as_posix()
        if "/tests/" in rel or "/migrations/" in rel:
            continue
        for node in ast.walk(ast.parse(path.read_text(), rel)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in GETTEXT_CALLS:
                continue
            first = GETTEXT_CALLS[name]
            texts = node.args[first:first + (2 if "ngettext" in name else 1)]
            for text in texts:
                if isinstance(text, ast.Constant) and isinstance(text.value, str):
                    found.setdefault(text.value, []).append(f"{rel}:{node.lineno}")
    return found


def test_the_python_scanner_finds_what_it_must(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        'from django.utils.translation import gettext, gettext_noop, ngettext, pgettext\n'
        'a = gettext("One")\nb = gettext_noop("Two" " parts")\nc = _("Three")\n'
        'd = ngettext("%(n)s day", "%(n)s days", 2)\ne = pgettext("month", "May")\n'
        'f = gettext(name)\ng = print("Not a msgid")\n')
    found = python_msgids(tmp_path)
    assert sorted(found) == ["%(n)s day", "%(n)s days", "May", "One", "Three", "Two parts"]


def test_every_msgid_of_the_python_sources_has_spanish() -> None:
    """A sentence wrapped in Python (a service's refusal, a socket message, a payer rule's
    sentence) without a Spanish entry would reach a Spanish-speaking patient in English."""
    translated = {e.msgid for e in _catalogue().translated_entries()}
    translated |= {e.msgid_plural for e in _catalogue().translated_entries() if e.msgid_plural}
    missing = sorted(f"{where[0]}: {msgid!r}" for msgid, where in python_msgids().items()
                     if msgid not in translated)
    assert not missing, f"add the Spanish to django.po and compile: {missing}"
