"""The patient portal's pages. No patient data in any URL."""

from django.urls import path

from tandem.web.portal import authenticator, plan_pages, progress, questionnaire_pages, views

app_name = "portal"

urlpatterns = [
    path("", views.today, name="today"),
    path("sign-in", views.sign_in, name="sign_in"),
    path("sign-in/code", authenticator.sign_in_code, name="sign_in_code"),
    path("sign-out", views.sign_out, name="sign_out"),
    path("authenticator", authenticator.add, name="authenticator"),
    path("authenticator/remove", authenticator.remove, name="authenticator_remove"),
    path("enrol", views.enrol, name="enrol"),
    path("check-in", views.check_in, name="check_in"),
    path("help", views.help_now, name="help"),
    path("coping", views.coping, name="coping"),
    path("progress", progress.my_progress, name="progress"),
    path("settings", views.settings_page, name="settings"),
    path("plan", plan_pages.my_plan, name="plan"),
    path("plan/relapse-prevention", plan_pages.edit_relapse_prevention, name="plan_edit"),
    path("questionnaires", questionnaire_pages.questionnaire_list, name="questionnaires"),
    path(
        "questionnaires/<slug:instrument_id>",
        questionnaire_pages.answer,
        name="questionnaire",
    ),
]
