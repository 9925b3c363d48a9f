from django.urls import path

from tandem.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login", views.sign_in, name="login"),
    path("mfa", views.second_factor, name="mfa"),
]
