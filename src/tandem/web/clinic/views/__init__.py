"""Clinician pages: thin views that load through ``tandem.services.access`` and write
only through services. Patient data never goes in a URL: only opaque primary keys."""
