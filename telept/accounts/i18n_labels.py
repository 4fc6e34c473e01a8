"""Labels patients read that come from data (model choices), for the Spanish catalogue.

Patient templates show these through `{% translate a.get_modality_display %}` and the like;
`makemessages` cannot see a translated variable, so the labels are listed here with
`gettext_noop` (a test holds this list to the models' choices).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

LABELS = [
    # scheduling.Modality
    gettext_noop("Video"), gettext_noop("Audio only"), gettext_noop("In person"),
    # scheduling.Appointment.Status
    gettext_noop("Held for a waitlisted patient"), gettext_noop("Booked"),
    gettext_noop("Requested (new patient)"), gettext_noop("Completed"),
    gettext_noop("No-show"), gettext_noop("Cancelled"),
    # visits.Participant.Location
    gettext_noop("At home"), gettext_noop("Somewhere else (work, a relative's home, a car…)"),
    # patients.Patient.Sex
    gettext_noop("Female"), gettext_noop("Male"), gettext_noop("Other"), gettext_noop("Unknown"),
    # patients.Consent.Kind
    gettext_noop("Telehealth"), gettext_noop("Treatment"),
    gettext_noop("Notice of privacy practices"), gettext_noop("Video clip of a movement"),
    # exercises.ExerciseLog.Status and .Difficulty, exercises.Recording.Side
    gettext_noop("Done"), gettext_noop("Partly"), gettext_noop("Skipped"),
    gettext_noop("Easy"), gettext_noop("OK"), gettext_noop("Hard"),
    gettext_noop("Whichever side the camera sees best"), gettext_noop("Left"),
    gettext_noop("Right"),
    # clinical.models.feedback.TECHNICAL_PROBLEMS (the post-visit survey)
    gettext_noop("Trouble joining or connecting"), gettext_noop("Video froze or was blurry"),
    gettext_noop("Sound dropped or was hard to hear"), gettext_noop("Echo or feedback"),
    gettext_noop("The call dropped"), gettext_noop("Camera or microphone did not work"),
    gettext_noop("Something else"),
]
