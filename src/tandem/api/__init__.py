"""Tandem's JSON API (django-ninja): typed schemas, one error shape, OpenAPI.

Mounted at ``/api/v1/``; the spec is ``/api/v1/openapi.json``. Staff authenticate with
a bearer token (``tandem token create USERNAME``). Every error is
``{"error": {"code": ..., "message": ..., "field": ...}}``.
"""
