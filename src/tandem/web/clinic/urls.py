"""Clinician pages. Only opaque primary keys in paths; never a name or a query string
with patient data (SECURITY.md "no patient data in URLs")."""

from django.urls import path

from tandem.web.clinic.views import (
    admin,
    alerts,
    care_team,
    formulation,
    groups,
    incentives,
    intake,
    patients,
    plan,
    portal,
    reassessment,
    relapse_prevention,
    screens,
    timeline_page,
)

app_name = "clinic"

urlpatterns = [
    path("clinic/", patients.caseload, name="caseload"),
    path("clinic/patients/new", patients.new_patient, name="new_patient"),
    path("clinic/patients/<int:patient_id>/", patients.chart, name="chart"),
    path(
        "clinic/patients/<int:patient_id>/prescribed-opioids",
        patients.prescribed_opioids,
        name="prescribed_opioids",
    ),
    path(
        "clinic/patients/<int:patient_id>/discharge",
        patients.discharge,
        name="discharge",
    ),
    path(
        "clinic/patients/<int:patient_id>/portal-invite",
        portal.invite,
        name="portal_invite",
    ),
    path(
        "clinic/patients/<int:patient_id>/screens/new",
        screens.record,
        name="record_screen",
    ),
    path("clinic/screens/today", screens.today, name="screens_today"),
    path(
        "clinic/patients/<int:patient_id>/incentives",
        incentives.patient_incentives,
        name="incentives",
    ),
    path("clinic/alerts", alerts.inbox, name="alerts"),
    path("clinic/groups", groups.group_list, name="groups"),
    path("clinic/groups/new", groups.new_group, name="new_group"),
    path("clinic/groups/<int:group_id>/", groups.group, name="group"),
    path("clinic/alerts/<int:alert_id>/", alerts.detail, name="alert"),
    path(
        "clinic/alerts/<int:alert_id>/acknowledge",
        alerts.acknowledge,
        name="alert_acknowledge",
    ),
    path("clinic/alerts/<int:alert_id>/resolve", alerts.resolve, name="alert_resolve"),
    path(
        "clinic/patients/<int:patient_id>/relapse-prevention",
        relapse_prevention.edit,
        name="relapse_prevention",
    ),
    path(
        "clinic/patients/<int:patient_id>/timeline",
        timeline_page.timeline,
        name="timeline",
    ),
    path(
        "clinic/patients/<int:patient_id>/reassessment",
        reassessment.overview,
        name="reassessment",
    ),
    path(
        "clinic/patients/<int:patient_id>/reassessment/start",
        reassessment.start,
        name="reassessment_start",
    ),
    path(
        "clinic/reassessments/<int:reassessment_id>/cancel",
        reassessment.cancel,
        name="reassessment_cancel",
    ),
    path(
        "clinic/patients/<int:patient_id>/care-team",
        care_team.care_team,
        name="care_team",
    ),
    path(
        "clinic/patients/<int:patient_id>/intake/<slug:step>",
        intake.intake_step,
        name="intake_step",
    ),
    path(
        "clinic/patients/<int:patient_id>/intake/instruments/<slug:instrument_id>",
        intake.record_instrument,
        name="record_instrument",
    ),
    path(
        "clinic/formulations/<int:formulation_id>/",
        formulation.formulation,
        name="formulation",
    ),
    path(
        "clinic/formulations/<int:formulation_id>/plan",
        formulation.draft_plan,
        name="draft_plan",
    ),
    path("clinic/plans/<int:plan_id>/", plan.plan, name="plan"),
    path("clinic/plans/<int:plan_id>/sign", plan.sign, name="sign_plan"),
    path("clinic/plans/<int:plan_id>/agreement", plan.agreement, name="plan_agreement"),
    path("clinic/referrals", patients.referral_list, name="referrals"),
    path("clinic/admin/staff", admin.staff, name="admin_staff"),
    path(
        "clinic/admin/staff/<int:staff_id>/change",
        admin.staff_change,
        name="admin_staff_change",
    ),
    path("clinic/admin/settings", admin.settings, name="admin_settings"),
    path("clinic/admin/alert-settings", admin.alert_settings, name="admin_alert_settings"),
    path("clinic/admin/incentives", incentives.schedule_settings, name="admin_incentives"),
    path(
        "clinic/referrals/<int:referral_id>/intake",
        patients.referral_intake,
        name="referral_intake",
    ),
    path(
        "clinic/referrals/<int:referral_id>/status",
        patients.referral_status,
        name="referral_status",
    ),
]
