"""The API object mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from ninja import NinjaAPI

from tandem.api import errors, groups, incentives, me, monitoring
from tandem.api.auth import StaffToken
from tandem.api.routes import router

api = NinjaAPI(
    title="Tandem API",
    version="1",
    description="Staff API (a staff token), and /me/ for a patient's own token. Errors: "
    '{"error": {"code", "message", "field"}}.',
    auth=StaffToken(),
    urls_namespace="api",
    docs_url=None,  # the interactive docs page needs inline script, which the CSP forbids
)
errors.install(api)
api.add_router("/", router)
api.add_router("/", monitoring.router)
api.add_router("/", groups.router)
api.add_router("/", incentives.router)
api.add_router("/me/", me.router)
