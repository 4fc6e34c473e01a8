"""Page forms of the clinical record (validation at the boundary; services re-check rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.utils.translation import gettext_lazy as _

from telept.clinical import note_templates
from telept.clinical.measures import MEASURES, Answer, Measure
from telept.clinical.models.feedback import TECHNICAL_PROBLEMS
from telept.clinical.models.goals import GoalStatus
from telept.clinical.models.measures import MEASURE_CHOICES
from telept.clinical.models.notes import Complexity, DecisionLevel, Presentation
from telept.clinical.rules.interventions import CHOICES as INTERVENTION_CHOICES
from telept.clinical.rules.interventions import MAX_MINUTES


class MeasureScheduleForm(forms.Form):
    code = forms.ChoiceField(label="Measure", choices=MEASURE_CHOICES)
    at_evaluation = forms.BooleanField(label="Due now (baseline at evaluation)", required=False,
                                       initial=True)
    every_visits = forms.IntegerField(label="Then every N visits", required=False,
                                      min_value=1, max_value=52)
    every_days = forms.IntegerField(label="Or every N days", required=False, min_value=1,
                                    max_value=365)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("at_evaluation") and not data.get("every_visits") \
                and not data.get("every_days"):
            raise forms.ValidationError("Ask for a baseline now or set an interval.")
        return data


class MeasureAnswerForm(forms.Form):
    """One page per instrument, built from the registry's items and answer scale.

    Every item is optional here: whether blanks are acceptable is the instrument's rule
    (`Measure.max_missing`), applied by the server's scorer, so the form cannot drift from
    it. PSFS asks the patient to name 3 to 5 activities and rate each.
    """

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        scale = measure.scale
        choices = [(str(v), str(v)) for v in range(scale.minimum, scale.maximum + 1)]
        for index, item in enumerate(measure.items):
            if measure.min_items is not None:
                self.fields[f"label_{index}"] = forms.CharField(
                    label=f"{item}: what is it?", required=False, max_length=80)
            self.fields[f"item_{index}"] = forms.TypedChoiceField(
                label=item, choices=choices, coerce=int, required=False, empty_value=None,
                widget=forms.RadioSelect)

    @property
    def variable(self) -> bool:
        return self.measure.min_items is not None

    def rows(self) -> list[dict[str, Any]]:
        """The items with their bound fields, for the template."""
        return [{"index": i, "item": item, "field": self[f"item_{i}"],
                 "label_field": self[f"label_{i}"] if self.variable else None}
                for i, item in enumerate(self.measure.items)]

    def answers(self) -> tuple[list[Answer], list[str]]:
        """(answers, activity names) in item order; PSFS keeps only named activities."""
        data = self.cleaned_data
        if not self.variable:
            return [data.get(f"item_{i}") for i in range(len(self.measure.items))], []
        answers: list[Answer] = []
        labels: list[str] = []
        for i in range(len(self.measure.items)):
            name = (data.get(f"label_{i}") or "").strip()
            value = data.get(f"item_{i}")
            if name or value is not None:
                answers.append(value)
                labels.append(name or f"Activity {len(labels) + 1}")
        return answers, labels


def measure_or_none(code: str) -> Measure | None:
    return MEASURES.get(code)


class DateInput(forms.DateInput):
    input_type = "date"


class GoalForm(forms.Form):
    description = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="What the patient will be able to do, e.g. "
                                            "'Climb one flight of stairs without a rail'.")
    term = forms.ChoiceField(choices=[("short", "Short-term"), ("long", "Long-term")])
    measure_code = forms.ChoiceField(label="Outcome measure", required=False,
                                     choices=[("", "None: use a metric"), *MEASURE_CHOICES])
    metric = forms.CharField(max_length=80, required=False,
                             help_text="When no measure: what is measured, e.g. knee flexion.")
    unit = forms.CharField(max_length=20, required=False)
    baseline = forms.FloatField()
    target = forms.FloatField()
    target_date = forms.DateField(widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("measure_code") and not (data.get("metric") or "").strip():
            self.add_error("metric", "Choose an outcome measure or name a metric.")
        if data.get("baseline") is not None and data.get("baseline") == data.get("target"):
            self.add_error("target", "The target must differ from the baseline.")
        return data


# --- notes ---------------------------------------------------------------------------------

STALE_PAGE = ("Part of this page is missing or out of date. Your text is kept below: copy "
              "it, then reload the page and paste it back.")

class NoteForm(forms.Form):
    """A note's fields; the section fields come from the kind (note_templates.SECTIONS)."""

    date_of_service = forms.DateField(widget=DateInput())
    appointment = forms.TypedChoiceField(label="Visit", required=False, coerce=int,
                                         empty_value=None)
    # The note's version this form was built from (optimistic concurrency, Issue 16 #13).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": STALE_PAGE, "invalid": STALE_PAGE, "min_value": STALE_PAGE})

    def __init__(self, *args: Any, kind: str, appointments: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["appointment"].choices = [("", "Not linked to a visit"), *appointments]
        for key, label in note_templates.SECTIONS[kind]:
            self.fields[f"section_{key}"] = forms.CharField(
                label=label, required=False, max_length=20000,
                widget=forms.Textarea(attrs={"rows": 5}))
        if kind == note_templates.INITIAL_EVAL:
            self.fields["personal_factors"] = forms.IntegerField(
                label="Personal factors and comorbidities affecting the plan", required=False,
                min_value=0, max_value=20)
            self.fields["body_elements"] = forms.IntegerField(
                label="Elements examined (body structures/functions, activity limitations, "
                      "participation restrictions)", required=False, min_value=1, max_value=30)
            self.fields["presentation"] = forms.ChoiceField(
                label="Clinical presentation", required=False,
                choices=[("", "—"), *Presentation.choices])
            self.fields["decision"] = forms.ChoiceField(
                label="Clinical decision making", required=False,
                choices=[("", "—"), *DecisionLevel.choices])
            self.fields["complexity"] = forms.ChoiceField(
                label="Complexity (blank: use the suggestion)", required=False,
                choices=[("", "—"), *Complexity.choices])
        if kind in (note_templates.INITIAL_EVAL, note_templates.RE_EVAL):
            self.fields["frequency_per_week"] = forms.IntegerField(
                label="Visits per week", required=False, min_value=1, max_value=7)
            self.fields["duration_weeks"] = forms.IntegerField(
                label="Duration (weeks)", required=False, min_value=1, max_value=52)

    def section_fields(self) -> list[forms.BoundField]:
        return [self[f"section_{key}"] for key, _ in note_templates.SECTIONS[self.kind]]

    def evaluation_fields(self) -> list[forms.BoundField]:
        names = ("personal_factors", "body_elements", "presentation", "decision", "complexity",
                 "frequency_per_week", "duration_weeks")
        return [self[name] for name in names if name in self.fields]

    def content(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"section_{key}", "")
                for key, _ in note_templates.SECTIONS[self.kind]}


class InterventionForm(forms.Form):
    cpt_code = forms.ChoiceField(label="Code", required=False,
                                 choices=[("", "—"), *INTERVENTION_CHOICES])
    minutes = forms.IntegerField(required=False, min_value=1, max_value=MAX_MINUTES)
    provider = forms.TypedChoiceField(label="Performed by", required=False, coerce=int,
                                      empty_value=None)
    description = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = providers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cpt_code") and not data.get("minutes"):
            self.add_error("minutes", "Give the minutes for this code.")
        return data


class _NoteFormSet(forms.BaseFormSet):
    """A formset whose missing bookkeeping (a stale page) reads as a sentence a person can
    act on, not Django's "ManagementForm data is missing or has been tampered with"."""

    default_error_messages = {**forms.BaseFormSet.default_error_messages,
                              "missing_management_form": STALE_PAGE}


InterventionFormSet = forms.formset_factory(InterventionForm, formset=_NoteFormSet, extra=3,
                                            max_num=20, absolute_max=20)


class GoalUpdateForm(forms.Form):
    goal_id = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(required=False, choices=[("", "No update"), *GoalStatus.choices])
    current_value = forms.FloatField(label="Current value", required=False)
    comment = forms.CharField(required=False, max_length=300)


GoalUpdateFormSet = forms.formset_factory(GoalUpdateForm, formset=_NoteFormSet, extra=0,
                                          max_num=50, absolute_max=50)


def note_form_errors(form: forms.Form, *formsets: forms.BaseFormSet) -> list[tuple[str, str]]:
    """Every problem of the note page as (field id or "", "Label: message"), in page order,
    for the summary at the top (each field also shows its own errors)."""
    rows: list[tuple[str, str]] = []

    def add(f: forms.Form, prefix: str = "") -> None:
        for name, errors in f.errors.items():
            field = f.fields.get(name)
            if field is None or isinstance(field.widget, forms.HiddenInput):
                rows.extend(("", f"{prefix}{e}") for e in errors)
                continue
            label = field.label or pretty_name(name)
            rows.extend((f[name].id_for_label, f"{prefix}{label}: {e}") for e in errors)

    add(form)
    for formset in formsets:
        rows.extend(("", str(e)) for e in formset.non_form_errors())
        title = "Intervention" if formset.prefix == "iv" else "Goal"
        for number, row in enumerate(formset.forms, start=1):
            add(row, f"{title} {number}, ")
    return rows


class AddendumForm(forms.Form):
    text = forms.CharField(label="Addendum", max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}))


class NoteTemplateForm(forms.Form):
    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in note_templates.SECTIONS[kind]:
            self.fields[key] = forms.CharField(label=label, required=False, max_length=5000,
                                               widget=forms.Textarea(attrs={"rows": 5}))


class EducationAssignForm(forms.Form):
    article = forms.TypedChoiceField(coerce=int, label="Article")
    message = forms.CharField(required=False, max_length=300, label="Note to the patient")

    def __init__(self, *args: Any, articles: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[int, str]]] = {}
        for article in articles:
            groups.setdefault(article.get_region_display(), []).append(
                (article.pk, article.title))
        self.fields["article"].choices = list(groups.items())


# --- messages ------------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); type and size are checked
    by the service with content sniffing, not here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": ".pdf,.jpg,.jpeg,.png,.webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Attachments"), required=False,
                              help_text=_("Up to 3 files: PDF, JPEG, PNG or WebP, 10 MB each."))


class ThreadForm(MessageForm):
    subject = forms.CharField(max_length=120, label=_("Subject"))

    field_order = ["subject", "body", "files"]


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with this visit?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 · Very satisfied")), (4, "4"), (3, "3"), (2, "2"),
                 (1, _("1 · Very dissatisfied"))])
    recommend = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend? (0 = not at all, 10 = "
              "extremely likely)"), coerce=int, widget=forms.RadioSelect,
        choices=[(v, str(v)) for v in range(0, 11)])
    problems = forms.MultipleChoiceField(
        label=_("Did you have any technical problems?"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, _(label)) for code, label in TECHNICAL_PROBLEMS])
    comment = forms.CharField(label=_("Anything else you want to tell us?"), required=False,
                              max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
