from django.urls import path

from tandem.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/logout", views.home, name="logout"),  # replaced by the accounts views
]
