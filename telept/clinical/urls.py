from django.urls import path

from telept.clinical.views import education, feedback, goals, measures, messaging, notes

app_name = "clinical"

urlpatterns = [
    # Staff: outcome measures
    path("clinical/patients/<int:patient_id>/measures/schedule/", measures.measure_schedule_add,
         name="measure_schedule_add"),
    path("clinical/patients/<int:patient_id>/measures/schedule/<int:schedule_id>/stop/",
         measures.measure_schedule_stop, name="measure_schedule_stop"),
    path("clinical/patients/<int:patient_id>/measures/<str:code>/", measures.measure_enter,
         name="measure_enter"),
    # Staff: goals
    path("clinical/patients/<int:patient_id>/goals/new/", goals.goal_new, name="goal_new"),
    path("clinical/goals/<int:goal_id>/edit/", goals.goal_edit, name="goal_edit"),
    # Staff: notes
    path("clinical/patients/<int:patient_id>/notes/new/<str:kind>/", notes.note_new,
         name="note_new"),
    path("clinical/appointments/<int:appointment_id>/note/", notes.visit_note,
         name="visit_note"),
    path("clinical/notes/<int:note_id>/", notes.note_detail, name="note"),
    path("clinical/notes/<int:note_id>/edit/", notes.note_edit, name="note_edit"),
    path("clinical/notes/<int:note_id>/draft/", notes.note_draft_save, name="note_draft_save"),
    path("clinical/notes/<int:note_id>/sign/", notes.note_sign, name="note_sign"),
    path("clinical/notes/<int:note_id>/cosign/", notes.note_cosign, name="note_cosign"),
    path("clinical/notes/<int:note_id>/addenda/", notes.note_addendum, name="note_addendum"),
    path("clinical/notes/<int:note_id>/discard/", notes.note_discard, name="note_discard"),
    path("clinical/cosign/", notes.cosign_queue, name="cosign_queue"),
    path("clinical/note-templates/", notes.note_templates, name="note_templates"),
    path("clinical/note-templates/<str:kind>/", notes.note_template_edit,
         name="note_template_edit"),
    # Staff: education
    path("clinical/education/", education.library, name="library"),
    path("clinical/education/<int:article_id>/", education.article, name="article"),
    path("clinical/patients/<int:patient_id>/education/assign/", education.education_assign,
         name="education_assign"),
    # Staff: messages
    path("clinical/messages/", messaging.inbox, name="inbox"),
    path("clinical/messages/<int:thread_id>/", messaging.thread, name="thread"),
    path("clinical/patients/<int:patient_id>/messages/new/", messaging.thread_new,
         name="thread_new"),
    path("clinical/attachments/<int:attachment_id>/", messaging.attachment_download,
         name="attachment"),
    # Practice admins: feedback
    path("clinical/feedback/", feedback.feedback_dashboard, name="feedback_dashboard"),
    # Patients
    path("portal/measures/", measures.portal_measures, name="portal_measures"),
    path("portal/measures/<str:code>/", measures.portal_measure, name="portal_measure"),
    path("portal/notes/", notes.portal_notes, name="portal_notes"),
    path("portal/notes/<int:note_id>/", notes.portal_note, name="portal_note"),
    path("portal/feedback/<int:appointment_id>/", feedback.portal_feedback,
         name="portal_feedback"),
    path("portal/messages/", messaging.portal_messages, name="portal_messages"),
    path("portal/messages/new/", messaging.portal_thread_new, name="portal_thread_new"),
    path("portal/messages/<int:thread_id>/", messaging.portal_thread, name="portal_thread"),
    path("portal/education/", education.portal_education, name="portal_education"),
    path("portal/education/<int:assignment_id>/", education.portal_article,
         name="portal_article"),
    path("portal/education/<int:assignment_id>/read/", education.portal_article_read,
         name="portal_article_read"),
]
