"""The pure clinical core: no Django, no database, no HTTP, no clock."""
