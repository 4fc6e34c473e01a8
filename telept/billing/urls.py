from django.urls import path

from telept.billing import views, views_money, views_ops, views_reports

app_name = "billing"

urlpatterns = [
    path("", views.work_queue, name="queue"),
    path("claims/<int:claim_id>/", views.claim_detail, name="claim"),
    path("capture-failures/<int:failure_id>/retry/", views_ops.capture_retry,
         name="capture_retry"),
    path("payers/<int:payer_id>/submit/", views_ops.batch_submit, name="batch_submit"),
    path("batches/", views_ops.batch_list, name="batches"),
    path("batches/<int:batch_id>/", views_ops.batch_detail, name="batch"),
    path("batches/<int:batch_id>/837p/", views_ops.batch_download, name="batch_download"),
    path("remittances/", views_ops.remittance_list, name="remittances"),
    path("remittances/upload/", views_ops.remittance_upload, name="remittance_upload"),
    path("remittances/<int:remittance_id>/", views_ops.remittance_detail, name="remittance"),
    path("patients/<int:patient_id>/money/", views_ops.patient_money, name="patient_money"),
    path("fees/", views_ops.fee_list, name="fees"),
    path("fees/<int:payer_id>/", views_ops.fee_edit, name="fee_edit"),
    path("fees/self-pay/", views_ops.fee_edit_self_pay, name="fee_edit_self_pay"),
    path("reports/", views_reports.billing_reports_page, name="reports"),
    path("my-charges/", views_reports.my_charges, name="my_charges"),
    # A patient's statements and superbill (views_money.py; the portal's are in telept/urls.py)
    path("patients/<int:patient_id>/superbill/", views_money.patient_superbill,
         name="superbill"),
    path("patients/<int:patient_id>/superbill.pdf", views_money.superbill_pdf,
         name="superbill_pdf"),
    path("patients/<int:patient_id>/statements/issue/", views_money.statement_issue_view,
         name="statement_issue"),
    path("statements/<int:statement_id>.pdf", views_money.statement_pdf, name="statement_pdf"),
]
