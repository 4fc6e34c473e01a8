"""Notes: start a draft from the chart (or a visit), edit it, sign it, co-sign a PTA's note,
add addenda after signing; practice admins edit the templates; patients read final notes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts.roles import CLINICAL_ROLES, STAFF_ROLES, Role
from telept.accounts.web import actor_required
from telept.clinical.forms import (
    AddendumForm,
    GoalUpdateFormSet,
    InterventionFormSet,
    NoteForm,
    NoteTemplateForm,
    note_form_errors,
)
from telept.clinical.models import Note, NoteKind
from telept.clinical.note_changes import NoteConflict, note_conflict, saved_input
from telept.clinical.note_templates import DAILY, INITIAL_EVAL, RE_EVAL, section_keys
from telept.clinical.sealing import note_intact
from telept.clinical.selectors import notes as selectors
from telept.clinical.selectors.goals import goal_rows
from telept.clinical.services import notes as services
from telept.clinical.views.common import actor_of, chart_url, form_errors, post_and_redirect, zoned
from telept.clinical.views.docked import dockable
from telept.clinical.visit_measurements import clips_for_note_page, visit_measurements_for_note
from telept.lib.errors import DomainError, NotFound
from telept.lib.ids import id_or_none


def _detail(note_id: int) -> str:
    return reverse("clinical:note", kwargs={"note_id": note_id})


def _visit_note_discard(request: HttpRequest, *, note: Note | None) -> HttpResponse:
    if note is not None and not note.is_locked and request.POST["discard"] == str(note.pk):
        services.note_discard(actor=actor_of(request), note_id=note.pk)
        messages.success(request, "Draft discarded.")
    return redirect(request.path)


@actor_required(CLINICAL_ROLES)
@zoned
@dockable
@require_http_methods(["GET", "POST"])
def visit_note(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The note of one visit, docked beside the video: opens the therapist's draft (or the
    signed note) linked to the visit, or offers to start one from the practice template.

    Docked, "Discard draft" posts here (`discard`: the draft's id) so the dock comes back to
    this start page instead of the chart, which may not be framed. Only the draft the dock
    opens (this therapist's, linked to this visit) is discarded; another id changes nothing.
    """
    actor = actor_of(request)
    appointment, note, needs_eval = selectors.visit_note_context(
        actor=actor, appointment_id=appointment_id)
    if request.method == "POST" and "discard" in request.POST:
        return _visit_note_discard(request, note=note)
    if request.method == "POST" and note is not None and not note.is_locked \
            and note.author_id == actor.user_id:
        return redirect("clinical:note_edit", note_id=note.pk)  # a second press: same draft
    if request.method == "POST":
        try:
            note = services.note_create(actor=actor, patient_id=appointment.patient_id,
                                        kind=request.POST.get("kind", ""),
                                        appointment_id=appointment.pk)
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        return redirect("clinical:note_edit", note_id=note.pk)
    if note is not None:
        return redirect("clinical:note_edit" if not note.is_locked else "clinical:note",
                        note_id=note.pk)
    order = [DAILY]
    if actor.role == Role.PT:  # an evaluation first when none is on file, else the daily note
        order = [INITIAL_EVAL, RE_EVAL, DAILY]
        if not needs_eval:
            order.reverse()
    kinds = [(kind, NoteKind(kind).label) for kind in order]
    return render(request, "clinical/visit_note_start.html", {
        "appointment": appointment, "kinds": kinds, "needs_eval": needs_eval})


@actor_required(CLINICAL_ROLES)
@zoned
@require_POST
def note_new(request: HttpRequest, patient_id: int, kind: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        note = services.note_create(actor=actor, patient_id=patient_id, kind=kind,
                                    appointment_id=id_or_none(request.POST.get("appointment")))
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(chart_url(patient_id, "notes"))
    return redirect("clinical:note_edit", note_id=note.pk)


@actor_required(STAFF_ROLES)
@zoned
@dockable
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = actor_of(request)
    note = selectors.note_read(actor=actor, note_id=note_id)
    if isinstance(note, selectors.NoteSummary):  # a role that may not read it (item 19)
        return render(request, "clinical/note_summary.html", {
            "note": note, "billing": actor.role == Role.BILLING})
    return render(request, "clinical/note.html", {
        "note": note, "intact": note_intact(note) if note.is_locked else None,
        "interventions": list(note.interventions.select_related("provider")),
        "goal_updates": list(note.goal_updates.select_related("goal")),
        "addenda": list(note.addenda.select_related("author")),
        "missing": services.missing_for_signing(note) if not note.is_locked else [],
        "can_sign": not note.is_locked and note.author_id == actor.user_id,
        "can_cosign": note.status == Note.Status.SIGNED and actor.role == Role.PT
        and note.cosigner is not None and note.cosigner.user_id == actor.user_id,
        "can_amend": note.is_locked and actor.role in CLINICAL_ROLES,
        "addendum_form": AddendumForm(), "suggestion": selectors.complexity_suggestion(note),
        "clips": clips_for_note_page(note)})


EditForms = tuple[NoteForm, forms.BaseFormSet, forms.BaseFormSet]


def _edit_forms(request: HttpRequest, note: Note, *, values: services.NoteInput | None = None,
                bound: bool = True) -> EditForms:
    """The three forms of the edit page: bound to the POST, else built from `values` (the
    saved note by default; the merge of a refused save) at the note's current version."""
    actor = actor_of(request)
    data = request.POST if bound and request.method == "POST" else None
    values = values or saved_input(note)
    initial = {"date_of_service": values.date_of_service, "appointment": values.appointment_id,
               "version": note.version,
               **{f"section_{k}": values.content.get(k, "")
                  for k in section_keys(note.kind)},
               **{f: getattr(values, f) for f in ("personal_factors", "body_elements",
                                                  "presentation", "decision", "complexity",
                                                  "frequency_per_week", "duration_weeks")}}
    form = NoteForm(data, initial=initial, kind=note.kind, appointments=selectors
                    .note_appointment_choices(actor=actor, patient_id=note.patient_id))
    interventions = InterventionFormSet(
        data, prefix="iv", form_kwargs={"providers": selectors.provider_choices(actor=actor)},
        initial=[{"cpt_code": i.cpt_code, "minutes": i.minutes, "provider": i.provider_id,
                  "description": i.description} for i in values.interventions]
        or [{"provider": note.provider_id}])
    updates = {u.goal_id: u for u in values.goal_updates}
    goals = goal_rows(note=note)
    goal_forms = GoalUpdateFormSet(data, prefix="goal", initial=[
        {"goal_id": g.pk, "status": updates[g.pk].status if g.pk in updates else "",
         "current_value": updates[g.pk].current_value if g.pk in updates else None,
         "comment": updates[g.pk].comment if g.pk in updates else ""} for g in goals])
    for goal, goal_form in zip(goals, goal_forms, strict=False):
        goal_form.initial["goal"] = goal  # shown as the fieldset's legend
    return form, interventions, goal_forms


def _note_input(form: NoteForm, interventions: forms.BaseFormSet,
                goal_forms: forms.BaseFormSet) -> services.NoteInput:
    data = form.cleaned_data
    return services.NoteInput(
        date_of_service=data["date_of_service"], content=form.content(),
        appointment_id=data.get("appointment"),
        personal_factors=data.get("personal_factors"), body_elements=data.get("body_elements"),
        presentation=data.get("presentation", ""), decision=data.get("decision", ""),
        complexity=data.get("complexity", ""), frequency_per_week=data.get("frequency_per_week"),
        duration_weeks=data.get("duration_weeks"),
        interventions=tuple(services.InterventionInput(
            cpt_code=r["cpt_code"], minutes=r["minutes"], provider_id=r["provider"],
            description=r.get("description", "")) for r in interventions.cleaned_data
            if r and r.get("cpt_code")),
        goal_updates=tuple(services.GoalUpdateInput(
            goal_id=r["goal_id"], status=r["status"], current_value=r.get("current_value"),
            comment=r.get("comment", "")) for r in goal_forms.cleaned_data
            if r and r.get("status")))


def _save(request: HttpRequest, note: Note, edit: EditForms) -> Note:
    """Validate and save the posted draft; ValueError when a form refuses it, DomainError
    (NoteChanged when another save came first) when the service does."""
    form, interventions, goal_forms = edit
    if not (form.is_valid() and interventions.is_valid() and goal_forms.is_valid()):
        raise ValueError("invalid")
    return services.note_update(actor=actor_of(request), note_id=note.pk,
                                data=_note_input(*edit),
                                expected_version=form.cleaned_data["version"])


def _conflict(request: HttpRequest, exc: services.NoteChanged, edit: EditForms
              ) -> tuple[NoteConflict, EditForms]:
    """What the other save changed, and the merge forms: the refused edit (sections as
    typed) with the interventions of both sides, at the saved version."""
    actor = actor_of(request)
    form, _, goal_forms = edit
    conflict = note_conflict(
        note=exc.note, mine=_note_input(*edit),
        appointments=dict(form.fields["appointment"].choices),
        providers=dict(selectors.provider_choices(actor=actor)),
        goals={g.initial["goal_id"]: g.initial["goal"].description for g in goal_forms})
    return conflict, _edit_forms(request, exc.note, values=conflict.merged, bound=False)


@actor_required(CLINICAL_ROLES)
@zoned
@dockable
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    """Three forms on one page (sections, interventions, goal updates), and the merge page
    when another tab saved first: the reason this view is longer than most. A refused save
    comes back (400, or 409 for a merge) with everything as typed and every reason listed."""
    actor = actor_of(request)
    note = selectors.note_get(actor=actor, note_id=note_id, purpose="edit")
    if note.is_locked or note.author_id != actor.user_id:
        messages.info(request, "Signed notes are locked; add an addendum instead."
                      if note.is_locked else "Only the author edits a draft note.")
        return redirect(_detail(note.pk))
    edit = _edit_forms(request, note)
    conflict, status = None, 200
    if request.method == "POST":
        try:
            _save(request, note, edit)
        except ValueError:
            status = 400
        except services.NoteChanged as exc:
            (conflict, edit), status = _conflict(request, exc, edit), 409
            note = exc.note
        except NotFound:
            raise
        except DomainError as exc:
            edit[0].add_error(exc.field if exc.field in edit[0].fields else None, exc.message)
            status = 400
        else:
            messages.success(request, "Draft saved.")
            return redirect(_detail(note.pk))
    form, interventions, goal_forms = edit
    return render(request, "clinical/note_edit.html", {
        "note": note, "form": form, "interventions": interventions, "goal_forms": goal_forms,
        "errors": note_form_errors(form, interventions, goal_forms), "conflict": conflict,
        "suggestion": selectors.complexity_suggestion(note),
        "measurements": visit_measurements_for_note(note.appointment),
        "clips": clips_for_note_page(note)}, status=status)


@actor_required(CLINICAL_ROLES)
@zoned
@require_POST
def note_draft_save(request: HttpRequest, note_id: int) -> JsonResponse:
    """Autosave (static/js/note_autosave.js): the edit form posted as is, answered in JSON,
    `{version, saved_at, message}` or `{code, message}` with 400, 404 or 409. A stale
    version is refused like the page's own save; the page then merges on submit."""
    actor = actor_of(request)
    try:
        note = selectors.note_get(actor=actor, note_id=note_id, purpose="autosave")
        edit = _edit_forms(request, note)
        saved = _save(request, note, edit)
    except ValueError:
        reasons = "; ".join(text for _, text in note_form_errors(*edit))
        return JsonResponse({"code": "invalid", "message": f"Not saved: {reasons}"},
                            status=400)
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": f"Not saved: {exc.message}"},
                            status=exc.status if exc.status in (403, 404, 409) else 400)
    at = f"{timezone.localtime(saved.updated_at):%H:%M}"
    return JsonResponse({"version": saved.version, "saved_at": at,
                         "message": f"Saved at {at}"})


@actor_required(CLINICAL_ROLES)
@zoned
@dockable
@require_POST
def note_sign(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = actor_of(request)
    return post_and_redirect(request, lambda: services.note_sign(actor=actor, note_id=note_id),
                             to=_detail(note_id), success="Signed. The note is locked.")


@actor_required(Role.PT)
@zoned
@dockable
@require_POST
def note_cosign(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = actor_of(request)
    return post_and_redirect(request, lambda: services.note_cosign(actor=actor, note_id=note_id),
                             to=_detail(note_id), success="Co-signed. The note is final.")


@actor_required(CLINICAL_ROLES)
@zoned
@dockable
@require_POST
def note_addendum(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = actor_of(request)
    if not selectors.note_scope(actor=actor).filter(pk=note_id).exists():
        raise NotFound("note")  # out of scope answers 404 even for an empty form
    form = AddendumForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(_detail(note_id))
    return post_and_redirect(request, lambda: services.note_addendum_add(
        actor=actor, note_id=note_id, text=form.cleaned_data["text"]), to=_detail(note_id),
        success="Addendum added.")


@actor_required(CLINICAL_ROLES)
@zoned
@require_POST
def note_discard(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        patient_id = services.note_discard(actor=actor, note_id=note_id)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_detail(note_id))
    messages.success(request, "Draft discarded.")
    return redirect(chart_url(patient_id, "notes"))


@actor_required(Role.PT)
@zoned
def cosign_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "clinical/cosign_queue.html",
                  {"notes": selectors.cosign_queue(actor=actor_of(request))})


@actor_required(Role.ADMIN)
@zoned
def note_templates(request: HttpRequest) -> HttpResponse:
    return render(request, "clinical/note_templates.html",
                  {"templates": selectors.note_templates_of(actor=actor_of(request))})


@actor_required(Role.ADMIN)
@zoned
@require_http_methods(["GET", "POST"])
def note_template_edit(request: HttpRequest, kind: str) -> HttpResponse:
    actor = actor_of(request)
    if kind not in NoteKind.values:
        raise NotFound("note template")
    current = selectors.template_prompts(practice_id=actor.practice_id, kind=kind)
    form = NoteTemplateForm(request.POST or None, initial=current, kind=kind)
    if request.method == "POST" and form.is_valid():
        services.note_template_save(actor=actor, kind=kind, prompts=form.cleaned_data)
        messages.success(request, "Template saved. New notes start from it.")
        return redirect("clinical:note_templates")
    return render(request, "clinical/note_template_edit.html",
                  {"form": form, "kind_label": NoteKind(kind).label})


@actor_required(Role.PATIENT)
@zoned
def portal_notes(request: HttpRequest) -> HttpResponse:
    return render(request, "clinical/portal_notes.html",
                  {"notes": selectors.notes_own(actor=actor_of(request))})


@actor_required(Role.PATIENT)
@zoned
def portal_note(request: HttpRequest, note_id: int) -> HttpResponse:
    note = selectors.note_get(actor=actor_of(request), note_id=note_id)
    return render(request, "clinical/portal_note.html", {
        "note": note, "interventions": list(note.interventions.all()),
        "addenda": list(note.addenda.all())})
