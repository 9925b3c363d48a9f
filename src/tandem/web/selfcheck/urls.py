"""The public self-check (self-check.md). No patient data in any URL: answers travel in
signed POST bodies only."""

from django.urls import path

from tandem.web.selfcheck import views

app_name = "selfcheck"

urlpatterns = [
    path("check", views.start, name="start"),
    path("check/about", views.about_you, name="about"),
    path("check/feelings", views.phq9, name="phq9"),
    path("check/safety", views.overdose, name="overdose"),
    path("check/staying-safe", views.overdose_questions, name="overdose_questions"),
    path("check/result", views.result, name="result"),
    path("check/contact", views.contact, name="contact"),
    path("check/contact/send", views.contact_send, name="contact_send"),
    path("check/language", views.switch_language, name="language"),
]
