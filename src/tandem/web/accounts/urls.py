from django.urls import path

from tandem.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login", views.sign_in, name="login"),
    path("mfa", views.second_factor, name="mfa"),
    path(
        "staff/<int:staff_id>/enrolment-code",
        views.enrolment_code_for_staff,
        name="enrolment_code",
    ),
]
