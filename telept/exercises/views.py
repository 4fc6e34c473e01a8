"""Exercise-care pages: the library and the practice's own exercises, the program builder in
the patient's chart, the printable program, progress and follow-up for clinicians, and the
patient's "My exercises" with the session runner.

Views only adapt: parse a form, call one selector or service, render. A domain refusal
becomes a field error or a message, never a 500; a record out of scope answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts.roles import STAFF_ROLES, Role
from telept.accounts.web import actor_required
from telept.exercises import selectors, services, uploads
from telept.exercises.forms import (
    AddExerciseForm,
    ExerciseForm,
    LibraryFilterForm,
    ProgramForm,
    ProgramItemForm,
    ProgramItemFormSet,
    ProgramStatusForm,
    SessionEndForm,
    SessionLogFormSet,
)
from telept.exercises.models import Program
from telept.exercises.views_offline import offline_context
from telept.lib.errors import DomainError, NotFound

CLINICIANS = selectors.CLINICIANS
PAGE_SIZE = 100
PICKER_SIZE = 12


def _form_error(form: Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- the library --------------------------------------------------------------------------

@actor_required(STAFF_ROLES)
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None)
    rows, total = selectors.exercise_search(actor=request.actor,  # type: ignore[attr-defined]
                                            limit=PAGE_SIZE, **form.filters())
    context = {"form": form, "exercises": rows, "total": total,
               "can_add": request.actor.role in CLINICIANS}  # type: ignore[attr-defined]
    if request.headers.get("HX-Request"):
        return render(request, "exercises/_library_results.html", context)
    return render(request, "exercises/library.html", context)


@actor_required(STAFF_ROLES)
def exercise_detail(request: HttpRequest, exercise_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    exercise = selectors.exercise_get(actor=actor, exercise_id=exercise_id)
    return render(request, "exercises/detail.html", {
        "exercise": exercise, "can_edit": actor.role in CLINICIANS and not exercise.is_builtin})


def _exercise_page(request: HttpRequest, form: ExerciseForm, title: str,
                   exercise: object = None) -> HttpResponse:
    return render(request, "exercises/exercise_form.html",
                  {"form": form, "title": title, "exercise": exercise},
                  status=400 if form.errors else 200)


@actor_required(CLINICIANS)
@require_http_methods(["GET", "POST"])
def exercise_create(request: HttpRequest) -> HttpResponse:
    form = ExerciseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            exercise = services.exercise_create(actor=request.actor,  # type: ignore[attr-defined]
                                                data=form.to_input(),
                                                media=form.cleaned_data["media"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"{exercise.name} is in your practice's library.")
            return redirect("exercises:detail", exercise_id=exercise.pk)
    return _exercise_page(request, form, "New exercise")


@actor_required(CLINICIANS)
@require_http_methods(["GET", "POST"])
def exercise_edit(request: HttpRequest, exercise_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    exercise = selectors.exercise_get(actor=actor, exercise_id=exercise_id)
    if exercise.is_builtin:
        raise NotFound("exercise of your practice")
    form = ExerciseForm(request.POST or None, request.FILES or None,
                        initial=ExerciseForm.initial_from(exercise))
    if request.method == "POST" and form.is_valid():
        try:
            services.exercise_update(actor=actor, exercise_id=exercise.pk, data=form.to_input(),
                                     media=form.cleaned_data["media"],
                                     remove_media=form.cleaned_data["remove_media"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("exercises:detail", exercise_id=exercise.pk)
    return _exercise_page(request, form, f"Edit {exercise.name}", exercise)


@actor_required()
def exercise_media(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """The exercise's picture or video, to whoever may see it; never a public URL."""
    exercise = selectors.exercise_media_get(actor=request.actor,  # type: ignore[attr-defined]
                                            exercise_id=exercise_id)
    try:
        handle = exercise.media.open("rb")
        size = exercise.media.size
        wanted = uploads.byte_range(request.headers.get("Range", ""), size)
    except FileNotFoundError:
        raise NotFound("exercise media") from None
    except ValueError:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None:
        response = FileResponse(handle, content_type=exercise.media_content_type)
    else:  # a slice for video seeking (at most the 25 MB limit, read at once)
        start, end = wanted
        handle.seek(start)
        response = HttpResponse(handle.read(end - start + 1), status=206,
                                content_type=exercise.media_content_type)
        handle.close()
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = f'inline; filename="exercise-{exercise.pk}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the program builder (clinicians) -----------------------------------------------------

def _item_forms(program: Program | None, data: object = None) -> ProgramItemFormSet:
    items = list(program.items.all()) if program else []
    return ProgramItemFormSet(data, prefix="items",  # type: ignore[arg-type]
                              initial=[ProgramItemForm.initial_from(i) for i in items])


def _item_inputs(formset: ProgramItemFormSet) -> list[services.ItemInput]:
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and
            not f.cleaned_data.get("remove")]
    rows.sort(key=lambda d: (d.get("order") is None, d.get("order") or 0))
    fields = ("item_id", "exercise_id", "sets", "reps", "hold_seconds", "rest_seconds",
              "times_per_day", "days_per_week", "notes", "progression")
    return [services.ItemInput(**{k: d[k] for k in fields}) for d in rows]


@actor_required(CLINICIANS)
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    patient, program = selectors.program_current(actor=actor, patient_id=patient_id,
                                                 purpose="edit")
    initial = {"title": program.title, "start_date": program.start_date,
               "baseline_pain": program.baseline_pain, "notes": program.notes} \
        if program else {"start_date": selectors.patient_today(patient)}
    form = ProgramForm(request.POST or None, initial=initial)
    items = _item_forms(program, request.POST or None)
    if request.method == "POST" and form.is_valid() and (program is None or items.is_valid()):
        try:
            if program is None or request.POST.get("action") == "start":
                services.program_start(actor=actor, patient_id=patient.pk, **form.cleaned_data)
            else:
                services.program_update(actor=actor, program_id=program.pk,
                                        items=_item_inputs(items), **form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            _form_error(form, exc)
        else:
            messages.success(request, "The program is saved.")
            return redirect("exercises:program", patient_id=patient.pk)
    return render(request, "exercises/program_edit.html", {
        **_picker(request, actor), "patient": patient, "program": program, "form": form,
        "items": items, "rows": list(zip(items.forms, program.items.all(), strict=False))
        if program else [], "status_form": ProgramStatusForm()},
        status=400 if request.method == "POST" else 200)


def _picker(request: HttpRequest, actor: object) -> dict[str, object]:
    """The library search beside the program (GET parameters of the same page)."""
    picker = LibraryFilterForm(request.GET or None)
    rows, total = selectors.exercise_search(actor=actor, limit=PICKER_SIZE,  # type: ignore[arg-type]
                                            **picker.filters())
    return {"picker": picker, "picks": rows, "picks_total": total}


@actor_required(CLINICIANS)
@require_POST
def program_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    selectors.program_patient(actor=actor, patient_id=patient_id)  # 404 before the form
    form = AddExerciseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an exercise from the library.")
    else:
        try:
            item = services.program_item_add(actor=actor, patient_id=patient_id,
                                             exercise_id=form.cleaned_data["exercise"])
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Added {item.exercise.name}. Adjust the dose below.")
    return redirect("exercises:program", patient_id=patient_id)


@actor_required(CLINICIANS)
@require_POST
def program_status(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    _, program = selectors.program_current(actor=actor, patient_id=patient_id,
                                           purpose="status")
    form = ProgramStatusForm(request.POST)
    if program is None or not form.is_valid():
        messages.error(request, "Nothing to change: choose pause, resume or end.")
        return redirect("exercises:program", patient_id=patient_id)
    try:
        services.program_set_status(actor=actor, program_id=program.pk, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, {"pause": "The program is paused.", "resume":
                                   "The program is running again.", "end":
                                   "The program has ended."}[form.cleaned_data["action"]])
    return redirect("exercises:program", patient_id=patient_id)


@actor_required(CLINICIANS | {Role.PATIENT})
def program_print(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.program_get(actor=request.actor,  # type: ignore[attr-defined]
                                    program_id=program_id, purpose="print")
    return render(request, "exercises/program_print.html", {"program": program,
                                                             "patient": program.patient})


# --- progress and follow-up (clinicians) --------------------------------------------------

@actor_required(CLINICIANS)
def progress(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    data = selectors.progress_for(actor=actor, patient_id=patient_id)
    return render(request, "exercises/progress.html", {
        "progress": data, "patient": data.patient,
        "rom": selectors.rom_trend_for(actor=actor, patient_id=patient_id)})


@actor_required(CLINICIANS)
def follow_up(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "exercises/follow_up.html", {
        "tasks": selectors.task_list(actor=actor),
        "dropped_off": selectors.dropped_off_list(actor=actor)})


@actor_required(CLINICIANS)
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = services.task_done(actor=request.actor, task_id=task_id)  # type: ignore[attr-defined]
    messages.success(request, f"Task for {task.patient.full_name} marked done.")
    return redirect("exercises:follow_up")


# --- the patient's own pages --------------------------------------------------------------

def _own_patient_id(request: HttpRequest) -> int:
    patient_id = request.actor.patient_id  # type: ignore[attr-defined]
    if patient_id is None:
        raise NotFound("patient record linked to your account")
    return int(patient_id)


@actor_required(Role.PATIENT)
def my_exercises(request: HttpRequest) -> HttpResponse:
    data = selectors.progress_for(actor=request.actor,  # type: ignore[attr-defined]
                                  patient_id=_own_patient_id(request))
    return render(request, "exercises/portal.html", {"progress": data, "patient": data.patient,
                                                     "program": data.program})


@actor_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def session_run(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    patient, program = selectors.program_current(actor=actor,
                                                 patient_id=_own_patient_id(request),
                                                 purpose="session")
    if program is None or program.is_paused:
        return redirect("exercises:portal")
    items = list(program.items.all())
    logs = SessionLogFormSet(request.POST or None, prefix="logs",
                             initial=[{"item_id": i.pk} for i in items],
                             form_kwargs={"motion_keys": {i.pk: i.exercise.motion_key
                                                          for i in items}})
    end = SessionEndForm(request.POST or None)
    error = ""
    if request.method == "POST" and logs.is_valid() and end.is_valid():
        try:
            result = services.session_record(
                actor=actor, logs=[f.to_input() for f in logs.forms],
                program_id=program.pk, **end.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error = exc.message
        else:
            if not result.stopped:
                messages.success(request, gettext("Well done: your session is saved."))
            return redirect("exercises:portal")
    return render(request, "exercises/session.html", {
        "program": program, "patient": patient, "end": end, "logs": logs, "error": error,
        "steps": list(zip(logs.forms, items, strict=False)),
        "offline": offline_context(program, patient.pk)},
        status=400 if request.method == "POST" else 200)
