"""Message wording: defaults shipped in code, a practice's own templates, and the safe context.

Templates use Django's template language on a standalone engine with no loaders and no tag
libraries, and the context holds only strings and booleans chosen here (first name, practice,
local date and time, visit type, modality, location, links). A template therefore cannot
reach a diagnosis or any other record: there is no object in the context to walk from.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import dateformat, translation
from django.utils.translation import gettext, gettext_lazy

from telept.lib.errors import DomainError
from telept.notifications.models import Channel, Kind, MessageTemplate
from telept.practices.models import Practice
from telept.scheduling.models import Appointment, Modality

logger = logging.getLogger(__name__)

SMS_MAX_CHARS = 1600  # Twilio's limit for one message (it splits into segments below that)
VIRTUAL_LOCATION = {
    Modality.VIDEO: gettext_lazy("Video visit (join link in the portal)"),
    Modality.AUDIO: gettext_lazy("Audio-only visit (join link in the portal)"),
}
# Tags a practice may use; everything else (include, extends, load, debug, ...) is refused.
ALLOWED_TAGS = frozenset({"if", "elif", "else", "endif", "firstof", "with", "endwith",
                          "comment", "endcomment"})
CONTEXT_KEYS = ("patient_first_name", "practice_name", "practice_phone", "date", "date_short",
                "time", "time_zone", "visit_type", "modality", "location", "is_virtual",
                "join_url", "portal_url", "offer_expires")

_ENGINE = Engine(autoescape=False, libraries={}, loaders=[])

_STOP = " Reply STOP to opt out."
DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    (Kind.CONFIRMATION, Channel.EMAIL): (
        "Your visit with {{ practice_name }} is booked",
        "Hello {{ patient_first_name }},\n\n"
        "Your visit with {{ practice_name }} is booked for {{ date }} at {{ time }} "
        "{{ time_zone }}.\n\n"
        "Visit: {{ visit_type }} ({{ modality }})\nWhere: {{ location }}\n"
        "{% if is_virtual %}Join from any browser, no install needed: {{ join_url }}\n{% endif %}"
        "\nTo change or cancel, go to {{ portal_url }} or call {{ practice_phone }}.\n"
        "A calendar invitation is attached.\n"),
    (Kind.CONFIRMATION, Channel.SMS): (
        "", "{{ practice_name }}: your visit is booked for {{ date_short }} at {{ time }} "
        "{{ time_zone }}. {% if is_virtual %}Join: {{ join_url }}{% else %}{{ location }}"
        "{% endif %}" + _STOP),
    (Kind.REMINDER_24H, Channel.EMAIL): (
        "Reminder: your visit tomorrow with {{ practice_name }}",
        "Hello {{ patient_first_name }},\n\n"
        "This is a reminder of your visit with {{ practice_name }} on {{ date }} at {{ time }} "
        "{{ time_zone }}.\n\nWhere: {{ location }}\n"
        "{% if is_virtual %}Join from any browser: {{ join_url }}\n{% endif %}"
        "\nNeed to change it? Go to {{ portal_url }} or call {{ practice_phone }}.\n"),
    (Kind.REMINDER_24H, Channel.SMS): (
        "", "{{ practice_name }} reminder: visit {{ date_short }} at {{ time }} {{ time_zone }}. "
        "{% if is_virtual %}Join: {{ join_url }}{% else %}{{ location }}{% endif %} "
        "To change: {{ practice_phone }}." + _STOP),
    (Kind.REMINDER_1H, Channel.EMAIL): (
        "Your visit with {{ practice_name }} starts in an hour",
        "Hello {{ patient_first_name }},\n\n"
        "Your visit with {{ practice_name }} starts at {{ time }} {{ time_zone }} today.\n\n"
        "{% if is_virtual %}Join from any browser when it is time: {{ join_url }}\n"
        "{% else %}Where: {{ location }}\n{% endif %}"
        "\nRunning late? Call {{ practice_phone }}.\n"),
    (Kind.REMINDER_1H, Channel.SMS): (
        "", "{{ practice_name }}: your visit starts at {{ time }} {{ time_zone }}. "
        "{% if is_virtual %}Join: {{ join_url }}{% else %}{{ location }}{% endif %}" + _STOP),
    (Kind.RESCHEDULE, Channel.EMAIL): (
        "Your visit with {{ practice_name }} has moved",
        "Hello {{ patient_first_name }},\n\n"
        "Your visit with {{ practice_name }} is now on {{ date }} at {{ time }} "
        "{{ time_zone }}.\n\nWhere: {{ location }}\n"
        "{% if is_virtual %}Join from any browser: {{ join_url }}\n{% endif %}"
        "\nThe attached invitation updates your calendar. Questions? Call "
        "{{ practice_phone }}.\n"),
    (Kind.RESCHEDULE, Channel.SMS): (
        "", "{{ practice_name }}: your visit has moved to {{ date_short }} at {{ time }} "
        "{{ time_zone }}." + _STOP),
    (Kind.CANCELLATION, Channel.EMAIL): (
        "Your visit with {{ practice_name }} is cancelled",
        "Hello {{ patient_first_name }},\n\n"
        "Your visit with {{ practice_name }} on {{ date }} at {{ time }} {{ time_zone }} "
        "is cancelled.\n\nTo book another time, go to {{ portal_url }} or call "
        "{{ practice_phone }}.\n"),
    (Kind.CANCELLATION, Channel.SMS): (
        "", "{{ practice_name }}: your visit on {{ date_short }} at {{ time }} {{ time_zone }} "
        "is cancelled. To rebook: {{ practice_phone }}." + _STOP),
    (Kind.NO_SHOW, Channel.EMAIL): (
        "We missed you today at {{ practice_name }}",
        "Hello {{ patient_first_name }},\n\n"
        "We missed you at your visit on {{ date }} at {{ time }} {{ time_zone }}. "
        "Staying on schedule matters for your recovery, so let us find a new time: go to "
        "{{ portal_url }} or call {{ practice_phone }}.\n"),
    (Kind.NO_SHOW, Channel.SMS): (
        "", "{{ practice_name }}: we missed you today. Call {{ practice_phone }} or visit "
        "{{ portal_url }} to rebook." + _STOP),
    (Kind.WAITLIST_OFFER, Channel.EMAIL): (
        "An earlier visit time is open at {{ practice_name }}",
        "Hello {{ patient_first_name }},\n\n"
        "A visit on {{ date }} at {{ time }} {{ time_zone }} has opened up and we are holding "
        "it for you until {{ offer_expires }}.\n\nConfirm it at {{ portal_url }} or call "
        "{{ practice_phone }}.\n"),
    (Kind.WAITLIST_OFFER, Channel.SMS): (
        "", "{{ practice_name }}: a visit opened on {{ date_short }} at {{ time }} "
        "{{ time_zone }}, held for you until {{ offer_expires }}. Confirm: {{ portal_url }}"
        + _STOP),
}

_STOP_ES = " Responda STOP para no recibir más mensajes."
# Spanish defaults (Issue 13 item 2), for patients whose preferred language is Spanish: neutral
# Latin American Spanish, "usted". A practice's own templates are its English wording; a
# Spanish-speaking patient gets these rather than a practice's English text.
DEFAULTS_ES: dict[tuple[str, str], tuple[str, str]] = {
    (Kind.CONFIRMATION, Channel.EMAIL): (
        "Su cita con {{ practice_name }} está reservada",
        "Hola, {{ patient_first_name }}:\n\n"
        "Su cita con {{ practice_name }} está reservada para el {{ date }} a las {{ time }} "
        "({{ time_zone }}).\n\n"
        "Cita: {{ visit_type }} ({{ modality }})\nLugar: {{ location }}\n"
        "{% if is_virtual %}Conéctese desde cualquier navegador, sin instalar nada: "
        "{{ join_url }}\n{% endif %}"
        "\nPara cambiarla o cancelarla, entre en {{ portal_url }} o llame al "
        "{{ practice_phone }}.\nLe adjuntamos una invitación para su calendario.\n"),
    (Kind.CONFIRMATION, Channel.SMS): (
        "", "{{ practice_name }}: su cita está reservada para el {{ date_short }} a las "
        "{{ time }} ({{ time_zone }}). {% if is_virtual %}Conéctese: {{ join_url }}"
        "{% else %}{{ location }}{% endif %}" + _STOP_ES),
    (Kind.REMINDER_24H, Channel.EMAIL): (
        "Recordatorio: su cita de mañana con {{ practice_name }}",
        "Hola, {{ patient_first_name }}:\n\n"
        "Le recordamos su cita con {{ practice_name }} el {{ date }} a las {{ time }} "
        "({{ time_zone }}).\n\nLugar: {{ location }}\n"
        "{% if is_virtual %}Conéctese desde cualquier navegador: {{ join_url }}\n{% endif %}"
        "\n¿Necesita cambiarla? Entre en {{ portal_url }} o llame al {{ practice_phone }}.\n"),
    (Kind.REMINDER_24H, Channel.SMS): (
        "", "Recordatorio de {{ practice_name }}: cita el {{ date_short }} a las {{ time }} "
        "({{ time_zone }}). {% if is_virtual %}Conéctese: {{ join_url }}{% else %}"
        "{{ location }}{% endif %} Para cambiarla: {{ practice_phone }}." + _STOP_ES),
    (Kind.REMINDER_1H, Channel.EMAIL): (
        "Su cita con {{ practice_name }} empieza en una hora",
        "Hola, {{ patient_first_name }}:\n\n"
        "Su cita con {{ practice_name }} empieza hoy a las {{ time }} ({{ time_zone }}).\n\n"
        "{% if is_virtual %}Conéctese desde cualquier navegador a la hora de la cita: "
        "{{ join_url }}\n{% else %}Lugar: {{ location }}\n{% endif %}"
        "\n¿Va a llegar tarde? Llame al {{ practice_phone }}.\n"),
    (Kind.REMINDER_1H, Channel.SMS): (
        "", "{{ practice_name }}: su cita empieza a las {{ time }} ({{ time_zone }}). "
        "{% if is_virtual %}Conéctese: {{ join_url }}{% else %}{{ location }}{% endif %}"
        + _STOP_ES),
    (Kind.RESCHEDULE, Channel.EMAIL): (
        "Su cita con {{ practice_name }} cambió de horario",
        "Hola, {{ patient_first_name }}:\n\n"
        "Su cita con {{ practice_name }} es ahora el {{ date }} a las {{ time }} "
        "({{ time_zone }}).\n\nLugar: {{ location }}\n"
        "{% if is_virtual %}Conéctese desde cualquier navegador: {{ join_url }}\n{% endif %}"
        "\nLa invitación adjunta actualiza su calendario. ¿Preguntas? Llame al "
        "{{ practice_phone }}.\n"),
    (Kind.RESCHEDULE, Channel.SMS): (
        "", "{{ practice_name }}: su cita cambió al {{ date_short }} a las {{ time }} "
        "({{ time_zone }})." + _STOP_ES),
    (Kind.CANCELLATION, Channel.EMAIL): (
        "Su cita con {{ practice_name }} está cancelada",
        "Hola, {{ patient_first_name }}:\n\n"
        "Su cita con {{ practice_name }} del {{ date }} a las {{ time }} ({{ time_zone }}) "
        "está cancelada.\n\nPara reservar otro horario, entre en {{ portal_url }} o llame "
        "al {{ practice_phone }}.\n"),
    (Kind.CANCELLATION, Channel.SMS): (
        "", "{{ practice_name }}: su cita del {{ date_short }} a las {{ time }} "
        "({{ time_zone }}) está cancelada. Para reservar otra: {{ practice_phone }}."
        + _STOP_ES),
    (Kind.NO_SHOW, Channel.EMAIL): (
        "Lo extrañamos hoy en {{ practice_name }}",
        "Hola, {{ patient_first_name }}:\n\n"
        "No pudimos verlo en su cita del {{ date }} a las {{ time }} ({{ time_zone }}). "
        "Mantener la continuidad es importante para su recuperación; busquemos un nuevo "
        "horario: entre en {{ portal_url }} o llame al {{ practice_phone }}.\n"),
    (Kind.NO_SHOW, Channel.SMS): (
        "", "{{ practice_name }}: no pudimos verlo hoy. Llame al {{ practice_phone }} o entre "
        "en {{ portal_url }} para reservar otra cita." + _STOP_ES),
    (Kind.WAITLIST_OFFER, Channel.EMAIL): (
        "Hay un horario más temprano disponible en {{ practice_name }}",
        "Hola, {{ patient_first_name }}:\n\n"
        "Se liberó una cita el {{ date }} a las {{ time }} ({{ time_zone }}) y la tenemos "
        "reservada para usted hasta las {{ offer_expires }}.\n\nConfírmela en "
        "{{ portal_url }} o llame al {{ practice_phone }}.\n"),
    (Kind.WAITLIST_OFFER, Channel.SMS): (
        "", "{{ practice_name }}: se liberó una cita el {{ date_short }} a las {{ time }} "
        "({{ time_zone }}), reservada para usted hasta las {{ offer_expires }}. Confírmela: "
        "{{ portal_url }}" + _STOP_ES),
}


def message_language(tag: str | None) -> str:
    """The language to write to a patient in: their preferred one if offered, else English."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary and primary != "en" and primary in dict(settings.LANGUAGES) \
        else "en"


def appointment_language(appointment: Appointment) -> str:
    patient = appointment.patient
    return message_language(patient.preferred_language if patient else "")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def template_check(*, source: str) -> None:
    """Refuse a template the engine cannot compile, that prints a placeholder we do not
    provide (a typo would reach patients as a blank) or that uses a tag outside the
    allow-list (include/extends could read other files; debug would dump its context)."""
    for tag in re.findall(r"{%\s*(\w+)", source):
        if tag not in ALLOWED_TAGS:
            raise DomainError("template_tag_refused", f"The tag {{% {tag} %}} is not allowed "
                              f"in messages. Allowed: {', '.join(sorted(ALLOWED_TAGS))}.")
    for name in re.findall(r"{{\s*([A-Za-z_]\w*)", source):
        if name not in CONTEXT_KEYS:
            raise DomainError("template_unknown_placeholder",
                              f"There is no placeholder {name!r}. Available: "
                              f"{', '.join(CONTEXT_KEYS)}.")
    try:
        _ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise DomainError("template_invalid", f"Template error: {exc}") from exc


def render_source(*, subject: str, body: str, channel: str,
                  context: dict[str, Any]) -> Rendered:
    """Render one template pair; texts are made one paragraph and cut to the SMS limit."""
    ctx = Context({k: context.get(k, "") for k in CONTEXT_KEYS}, autoescape=False)
    rendered_subject = " ".join(_ENGINE.from_string(subject).render(ctx).split())
    text = _ENGINE.from_string(body).render(ctx)
    if channel == Channel.SMS:
        text = " ".join(text.split())[:SMS_MAX_CHARS]
    else:
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return Rendered(subject=rendered_subject, body=text)


def template_source(*, practice_id: int, kind: str, channel: str,
                    language: str = "en") -> tuple[str, str, bool]:
    """(subject, body, customised): the practice's template, else the shipped default.

    In Spanish, the shipped Spanish default (a practice's own templates are in English)."""
    if language == "es":
        subject, body = DEFAULTS_ES[(kind, channel)]
        return subject, body, False
    custom = MessageTemplate.objects.filter(practice_id=practice_id, kind=kind,
                                            channel=channel).first()
    if custom is not None:
        return custom.subject, custom.body, True
    subject, body = DEFAULTS[(kind, channel)]
    return subject, body, False


def message_render(*, practice_id: int, kind: str, channel: str,
                   context: dict[str, Any], language: str = "en") -> Rendered:
    subject, body, _ = template_source(practice_id=practice_id, kind=kind, channel=channel,
                                       language=language)
    return render_source(subject=subject, body=body, channel=channel, context=context)


def phone_display(number: str) -> str:
    """+12125550100 -> (212) 555-0100; anything unparsable is shown as stored."""
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def portal_url() -> str:
    return settings.SITE_URL + "/portal/"


def _when(at: dt.datetime, zone: ZoneInfo) -> dict[str, str]:
    local = at.astimezone(zone)
    if translation.get_language() == "es":  # "lunes 7 de diciembre de 2026", "lun 7 dic", 15:30
        return {
            "date": dateformat.format(local, r"l j \d\e F \d\e Y"),
            "date_short": dateformat.format(local, "D j M").lower(),
            "time": f"{local:%H:%M}",
            "time_zone": local.tzname() or "",
        }
    return {
        "date": f"{local:%A, %B} {local.day}, {local.year}",
        "date_short": f"{local:%a %b} {local.day}",
        "time": f"{local:%I:%M %p}".lstrip("0"),
        "time_zone": local.tzname() or "",
    }


def _moment(at: dt.datetime, zone: ZoneInfo) -> str:
    """"3:30 PM EDT on Tue Jun 11": a deadline, in one phrase."""
    when = _when(at, zone)
    if translation.get_language() == "es":
        return f"{when['time']} ({when['time_zone']}) del {when['date_short']}"
    return f"{when['time']} {when['time_zone']} on {when['date_short']}"


def _location(appointment: Appointment, practice: Practice) -> str:
    if appointment.modality in VIRTUAL_LOCATION:
        return str(VIRTUAL_LOCATION[Modality(appointment.modality)])
    loc = appointment.location
    if loc is None:
        return practice.name
    return f"{loc.name}, {loc.line1}, {loc.city}, {loc.state} {loc.postal_code}"


def location_text(appointment: Appointment) -> str:
    return _location(appointment, appointment.practice)


def _lazy_join_url(appointment: Appointment) -> Callable[[], str]:
    """A join link minted only if the template prints it (each mint is a revocable row).

    Uses `telept.scheduling.links.join_url_for` when it exists; the portal otherwise.
    """
    cache: list[str] = []

    def join_url() -> str:
        if not cache:
            try:
                from telept.scheduling.links import join_url_for
            except ImportError:
                cache.append(portal_url())
            else:
                cache.append(join_url_for(appointment, "patient"))
        return cache[0]

    return join_url


def patient_zone(appointment: Appointment) -> ZoneInfo:
    patient = appointment.patient
    name = (patient.time_zone if patient else "") or appointment.practice.time_zone
    return ZoneInfo(name)


def appointment_context(*, appointment: Appointment, join_link: bool) -> dict[str, Any]:
    """The safe context for one appointment, in the patient's zone (or the practice's).

    Dates, the modality and the location are in the active language: delivery renders a
    message inside `translation.override(appointment_language(appointment))`."""
    practice, patient = appointment.practice, appointment.patient
    zone = patient_zone(appointment)
    context: dict[str, Any] = {
        "patient_first_name": (patient.preferred_name or patient.first_name) if patient else "",
        "practice_name": practice.name,
        "practice_phone": phone_display(practice.phone),
        "visit_type": appointment.visit_type.name,
        "modality": gettext(appointment.get_modality_display()),  # noqa: INT001
        "location": _location(appointment, practice),
        "is_virtual": appointment.is_virtual,
        "portal_url": portal_url(),
        "join_url": portal_url(),
        "offer_expires": "",
        **_when(appointment.start, zone),
    }
    if join_link and appointment.is_virtual:
        context["join_url"] = _lazy_join_url(appointment)
    if appointment.hold_expires_at:
        context["offer_expires"] = _moment(appointment.hold_expires_at, zone)
    return context


def sample_context(*, practice: Practice, now: dt.datetime) -> dict[str, Any]:
    """What a preview shows: a made-up patient and a video visit tomorrow at 10:00."""
    zone = ZoneInfo(practice.time_zone)
    start = dt.datetime.combine((now.astimezone(zone) + dt.timedelta(days=1)).date(),
                                dt.time(10, 0), tzinfo=zone)
    when = _when(start, zone)
    return {
        "patient_first_name": "Alex",
        "practice_name": practice.name,
        "practice_phone": phone_display(practice.phone),
        "visit_type": "Follow-up",
        "modality": "Video",
        "location": str(VIRTUAL_LOCATION[Modality.VIDEO]),
        "is_virtual": True,
        "portal_url": portal_url(),
        "join_url": settings.SITE_URL + "/join/sample-link/",
        "offer_expires": _moment(now + dt.timedelta(hours=2), zone),
        **when,
    }
