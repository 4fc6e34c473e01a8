"""Page forms for exercise care. Services validate again; forms give field errors early."""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from telept.exercises import uploads, vocab
from telept.exercises.models import ExerciseLog, ProgramItem, Recording
from telept.exercises.services import CameraInput, ExerciseInput, LogInput, motion_keys
from telept.motion.labels import motion_label

BLANK = [("", "Any")]
EQUIPMENT_FILTER = [("", "Any"), (vocab.NO_EQUIPMENT, "No equipment"),
                    (vocab.HOUSEHOLD_ONLY, "No equipment or household items only"),
                    *sorted(vocab.EQUIPMENT.items(), key=lambda kv: kv[1])]
PAIN_CHOICES = [(str(n), str(n)) for n in range(11)]


class DateInput(forms.DateInput):
    input_type = "date"


class LibraryFilters(TypedDict):
    query: str
    region: str
    goal: str
    equipment: str


class LibraryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    region = forms.ChoiceField(required=False, choices=BLANK + list(vocab.REGIONS.items()),
                               label="Body region")
    goal = forms.ChoiceField(required=False, choices=BLANK + list(vocab.GOALS.items()))
    equipment = forms.ChoiceField(required=False, choices=EQUIPMENT_FILTER)

    def filters(self) -> LibraryFilters:
        if not self.is_valid():
            return {"query": "", "region": "", "goal": "", "equipment": ""}
        data = self.cleaned_data
        return {"query": data["q"], "region": data["region"], "goal": data["goal"],
                "equipment": data["equipment"]}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ExerciseForm(forms.Form):
    name = forms.CharField(max_length=120)
    region = forms.ChoiceField(choices=list(vocab.REGIONS.items()), label="Body region")
    goal = forms.ChoiceField(choices=list(vocab.GOALS.items()))
    summary = forms.CharField(max_length=240, required=False)
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                                   help_text="One step per line, in order.")
    cues = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="One cue per line.")
    mistakes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               label="Common mistakes", help_text="One per line.")
    difficulty = forms.TypedChoiceField(coerce=int, choices=[(1, "1 (easy)"), (2, "2"),
                                                             (3, "3 (hard)")])
    equipment = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                          choices=list(vocab.EQUIPMENT.items()))
    substitutes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="Everyday-item substitutes",
        help_text="One per line as 'item: how to use it', e.g. 'Rolling pin: roll the "
                  "forearm over it'.")
    suits_telehealth = forms.BooleanField(required=False, initial=True,
                                          label="Suits telehealth")
    default_sets = forms.IntegerField(min_value=1, max_value=10, initial=2)
    default_reps = forms.IntegerField(min_value=1, max_value=100, required=False, initial=10)
    default_hold_seconds = forms.IntegerField(min_value=1, max_value=600, required=False,
                                              label="Default hold (seconds)")
    joint = forms.CharField(max_length=30, required=False, help_text="Measured joint, e.g. "
                            "knee flexion (only for camera-measured exercises).")
    plane = forms.ChoiceField(required=False, choices=[("", "—"), *vocab.PLANES.items()])
    camera_view = forms.ChoiceField(required=False,
                                    choices=[("", "—"), *vocab.CAMERA_VIEWS.items()])
    motion_key = forms.ChoiceField(required=False, label="Camera measurement")
    media = forms.FileField(
        required=False, label="Picture or short video",
        help_text="JPEG, PNG or WebP up to 5 MB; MP4 or WebM up to 25 MB. Visible only to "
                  "your practice and to patients whose program uses this exercise.",
        widget=forms.ClearableFileInput(attrs={
            "accept": ".jpg,.jpeg,.png,.webp,.mp4,.m4v,.webm"}))
    remove_media = forms.BooleanField(required=False, label="Remove the current media")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["motion_key"].choices = [("", "Not measured")] + [  # type: ignore[attr-defined]
            (k, motion_label(k)) for k in motion_keys()]

    def clean_media(self) -> UploadedFile | None:
        media = self.cleaned_data.get("media")
        if not media:
            return None
        head = media.read(uploads.SNIFF_BYTES)
        media.seek(0)
        try:
            uploads.media_check(filename=media.name or "", head=head, size=media.size or 0)
        except uploads.MediaRefused as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return media  # type: ignore[no-any-return]

    def clean_substitutes(self) -> list[dict[str, str]]:
        found = []
        for line in _lines(self.cleaned_data.get("substitutes", "")):
            item, _, how = line.partition(":")
            if not item.strip():
                raise forms.ValidationError(f"Start the line {line!r} with the item.")
            found.append({"item": item.strip()[:80], "how": how.strip()[:300]})
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("default_reps") is None and data.get("default_hold_seconds") is None \
                and "default_reps" not in self.errors:
            self.add_error("default_reps", "Give default reps or a hold time.")
        return data

    def to_input(self) -> ExerciseInput:
        d = self.cleaned_data
        return ExerciseInput(
            name=d["name"], region=d["region"], goal=d["goal"], summary=d["summary"],
            instructions=_lines(d["instructions"]), cues=_lines(d["cues"]),
            mistakes=_lines(d["mistakes"]), difficulty=d["difficulty"],
            equipment=list(d["equipment"]), substitutes=d["substitutes"],
            suits_telehealth=d["suits_telehealth"], default_sets=d["default_sets"],
            default_reps=d["default_reps"], default_hold_seconds=d["default_hold_seconds"],
            joint=d["joint"], plane=d["plane"], camera_view=d["camera_view"],
            motion_key=d["motion_key"])

    @staticmethod
    def initial_from(exercise: Any) -> dict[str, Any]:
        return {
            "name": exercise.name, "region": exercise.region, "goal": exercise.goal,
            "summary": exercise.summary, "instructions": "\n".join(exercise.instructions),
            "cues": "\n".join(exercise.cues), "mistakes": "\n".join(exercise.mistakes),
            "difficulty": exercise.difficulty, "equipment": exercise.equipment,
            "substitutes": "\n".join(f"{s['item']}: {s.get('how', '')}"
                                     for s in exercise.substitutes),
            "suits_telehealth": exercise.suits_telehealth,
            "default_sets": exercise.default_sets, "default_reps": exercise.default_reps,
            "default_hold_seconds": exercise.default_hold_seconds, "joint": exercise.joint,
            "plane": exercise.plane, "camera_view": exercise.camera_view,
            "motion_key": exercise.motion_key,
        }


class ProgramForm(forms.Form):
    title = forms.CharField(max_length=120, initial="Home exercise program")
    start_date = forms.DateField(widget=DateInput())
    baseline_pain = forms.IntegerField(
        min_value=0, max_value=10, required=False, label="Baseline pain (0-10)",
        help_text="Leave blank to use the patient's first logged pain.")
    notes = forms.CharField(max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="Shown to the patient at the top of the program.")


class ProgramItemForm(forms.Form):
    item_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    exercise_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    sets = forms.IntegerField(min_value=1, max_value=10)
    reps = forms.IntegerField(min_value=1, max_value=100, required=False)
    hold_seconds = forms.IntegerField(min_value=1, max_value=600, required=False,
                                      label="Hold (s)")
    rest_seconds = forms.IntegerField(min_value=0, max_value=600, label="Rest (s)")
    times_per_day = forms.IntegerField(min_value=1, max_value=6, label="Times a day")
    days_per_week = forms.IntegerField(min_value=1, max_value=7, label="Days a week")
    notes = forms.CharField(max_length=300, required=False,
                            widget=forms.TextInput(attrs={"placeholder": "Note to the patient"}))
    progression = forms.CharField(max_length=300, required=False, widget=forms.TextInput(
        attrs={"placeholder": "When and how to progress"}))
    order = forms.IntegerField(min_value=0, max_value=999, required=False)
    remove = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("remove") and data.get("reps") is None \
                and data.get("hold_seconds") is None and not self.errors:
            self.add_error("reps", "Give reps or a hold time.")
        return data

    @staticmethod
    def initial_from(item: ProgramItem) -> dict[str, Any]:
        return {"item_id": item.pk, "exercise_id": item.exercise_id, "sets": item.sets,
                "reps": item.reps, "hold_seconds": item.hold_seconds,
                "rest_seconds": item.rest_seconds, "times_per_day": item.times_per_day,
                "days_per_week": item.days_per_week, "notes": item.notes,
                "progression": item.progression, "order": item.order}


ProgramItemFormSet = forms.formset_factory(ProgramItemForm, extra=0, max_num=30,
                                           validate_max=True)


class AddExerciseForm(forms.Form):
    exercise = forms.IntegerField(min_value=1, max_value=2**62)


class ProgramStatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("pause", "Pause"), ("resume", "Resume"),
                                        ("end", "End")])
    reason = forms.CharField(max_length=300, required=False)
    baseline_pain = forms.IntegerField(min_value=0, max_value=10, required=False,
                                       label="New baseline pain (0-10)")


CAMERA_FIELDS = ("camera_exercise", "camera_side", "camera_peak_deg", "camera_rom_deg",
                 "camera_reps", "camera_view_ok")
CAMERA_REFUSED = _("The camera's measurement of this exercise could not be used, so it was "
                   "left out. Check your answers and save again.")


class SessionLogForm(forms.Form):
    """One exercise of a session (the item is fixed by the page, not chosen).

    The `camera_*` fields are hidden: static/js/hep.js fills them from the on-device
    analyser when the patient used the camera. A bad value there is not the patient's to
    fix: the form refuses it with one message on the exercise and renders the fields empty
    (`camera_refused`), so saving again keeps the rest without the measurement.
    """

    item_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    # Patients read this form in their language (labels in telept/accounts/i18n_labels.py).
    status = forms.ChoiceField(choices=[(v, _(label)) for v, label in  # noqa: INT001
                                        ExerciseLog.Status.choices],
                               widget=forms.RadioSelect, label=_("How did it go?"))
    sets_done = forms.IntegerField(min_value=0, max_value=50, required=False,
                                   label=_("Sets done"))
    reps_done = forms.IntegerField(min_value=0, max_value=1000, required=False,
                                   label=_("Reps counted"))
    pain = forms.TypedChoiceField(coerce=int, choices=PAIN_CHOICES, required=False,
                                  empty_value=None, widget=forms.RadioSelect,
                                  label=_("Pain right now (0 = none, 10 = worst)"))
    difficulty = forms.ChoiceField(choices=[(v, _(label)) for v, label in  # noqa: INT001
                                            ExerciseLog.Difficulty.choices], required=False,
                                   widget=forms.RadioSelect, label=_("How hard was it?"))
    camera_exercise = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    camera_side = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                                    choices=[("", ""), ("left", "left"), ("right", "right")])
    camera_peak_deg = forms.FloatField(required=False, min_value=0, max_value=200,
                                       widget=forms.HiddenInput)
    camera_rom_deg = forms.FloatField(required=False, min_value=0, max_value=200,
                                      widget=forms.HiddenInput)
    camera_reps = forms.IntegerField(required=False, min_value=0, max_value=1000,
                                     widget=forms.HiddenInput)
    camera_view_ok = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                                       choices=[("", ""), ("true", "true"), ("false", "false")])

    def __init__(self, *args: Any, motion_keys: dict[int, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.motion_keys = motion_keys
        self.camera_refused = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") and data["status"] != "skipped" and data.get("pain") is None:
            self.add_error("pain", _("Rate your pain now, from 0 to 10."))
        self._camera_check(data)
        return data

    def _camera_check(self, data: dict[str, Any]) -> None:
        bad = any(name in self.errors for name in CAMERA_FIELDS)
        given = any(data.get(name) not in (None, "") for name in CAMERA_FIELDS)
        if not bad and given:
            wanted = (self.motion_keys or {}).get(data.get("item_id") or 0)
            bad = (not data.get("camera_exercise") or not data.get("camera_side")
                   or data.get("camera_reps") is None
                   or (data.get("camera_peak_deg") is None) != (data.get("camera_rom_deg")
                                                                is None)
                   or (self.motion_keys is not None and data["camera_exercise"] != wanted))
        if bad:
            for name in CAMERA_FIELDS:
                self.errors.pop(name, None)
                data.pop(name, None)
            self.camera_refused = True
            self.add_error(None, CAMERA_REFUSED)

    def camera_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CAMERA_FIELDS]

    def camera(self) -> CameraInput | None:
        data = self.cleaned_data
        if self.camera_refused or not data.get("camera_exercise"):
            return None
        view = data.get("camera_view_ok")
        return CameraInput(exercise=data["camera_exercise"], side=data["camera_side"],
                           reps=data["camera_reps"], peak_deg=data.get("camera_peak_deg"),
                           rom_deg=data.get("camera_rom_deg"),
                           view_ok=None if not view else view == "true")

    def to_input(self) -> LogInput:
        data = self.cleaned_data
        return LogInput(item_id=data["item_id"], status=data["status"], pain=data.get("pain"),
                        difficulty=data.get("difficulty", ""),
                        sets_done=data.get("sets_done"), reps_done=data.get("reps_done"),
                        camera=self.camera())


SessionLogFormSet = forms.formset_factory(SessionLogForm, extra=0, max_num=60,
                                          validate_max=True)


class SessionEndForm(forms.Form):
    fall_reported = forms.BooleanField(required=False,
                                       label=_("I fell, or nearly fell, while exercising"))
    note = forms.CharField(max_length=500, required=False, label=_("Anything to tell your "
                           "therapist?"), widget=forms.Textarea(attrs={"rows": 2}))
    duration_seconds = forms.IntegerField(required=False, min_value=0, max_value=4 * 3600,
                                          widget=forms.HiddenInput)


class RecordingUploadForm(forms.Form):
    """A recorded set. The file is checked by the service (contents, size, length)."""

    file = forms.FileField(
        label=_("Video of your set"), allow_empty_file=True,
        error_messages={"required": _("Record your set first, or choose a video file."),
                        "invalid": _("Choose a video file.")},
        widget=forms.FileInput(attrs={"accept": "video/webm,video/mp4,.webm,.mp4"}))
    side = forms.ChoiceField(choices=[(v, _(label)) for v, label in  # noqa: INT001
                                      Recording.Side.choices], initial=Recording.Side.AUTO,
                             label=_("Which side are you exercising?"))


class RecordingFeedbackForm(forms.Form):
    feedback = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                               label="Feedback for the patient",
                               help_text="The patient reads this in the portal.")
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
