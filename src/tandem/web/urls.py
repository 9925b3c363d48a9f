from django.urls import include, path

from tandem.api.app import api
from tandem.web import views
from tandem.web.accounts import views as accounts_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # set_language (POST): the language switcher of the public pages; the choice is kept
    # in the language cookie, never in a URL (tandem.web.language).
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tandem.web.selfcheck.urls")),
    path("", include("tandem.web.clinic.urls")),
    path("accounts/", include("tandem.web.accounts.urls")),
    path("me/", include("tandem.web.portal.urls")),
    path("accounts/logout", accounts_views.sign_out, name="logout"),
    path("api/v1/", api.urls),
]
