"""The patient portal at /me/ (issue 10): patients' own pages, in English and Spanish."""
