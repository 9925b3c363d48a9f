"""The Spanish catalogue is complete, current and compiled (docs/clinical/spanish.md).

Fails on: a msgid left untranslated or fuzzy; a translation that drops a placeholder or
a tag; a translatable string in the source that the catalogue lacks (or one it keeps
after the source dropped it); a committed django.mo that differs from django.po.

Precondition: GNU gettext (xgettext, msgmerge, msgattrib) on the PATH, because Django's
makemessages calls it. ``make browser`` installs it (apt package ``gettext``); without
it the source check fails with that message rather than being skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "tandem"
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"

PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}|</?[a-z]+[^>]*>")


def _entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(PO)) if not entry.obsolete]


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries()
    assert entries, "the Spanish catalogue is empty"
    untranslated = [e.msgid for e in entries if not e.msgstr.strip()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {PO.name}: {untranslated}"
    assert not fuzzy, f"fuzzy (needs checking, then remove the flag): {fuzzy}"
    assert not polib.pofile(str(PO)).obsolete_entries(), "obsolete entries: use --no-obsolete"


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e.msgid[:40])
def test_a_translation_keeps_every_placeholder_and_tag(entry: polib.POEntry) -> None:
    assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid))


def test_the_compiled_catalogue_matches_the_po() -> None:
    assert MO.exists(), "django.mo is missing: run `django-admin compilemessages -l es`"
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(MO)) if e.msgid}
    po = {e.msgid: e.msgstr for e in _entries()}
    assert mo == po, "django.mo is stale: run `django-admin compilemessages -l es` and commit"


def _gettext_tools() -> None:
    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq") if not shutil.which(tool)]
    if missing:
        pytest.fail(
            f"GNU gettext is needed for this check ({', '.join(missing)} not found): "
            "`apt-get install gettext`, or `make browser`."
        )


def test_every_translatable_string_in_the_source_is_in_the_catalogue(tmp_path: Path) -> None:
    """Run makemessages (ours: it also extracts ``N_``) on a copy of the package."""
    _gettext_tools()
    copy = tmp_path / "src" / "tandem"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {
        **os.environ,
        # settings.LOCALE_PATHS follows the settings file, so it points into the copy.
        "PYTHONPATH": str(tmp_path / "src"),
        "DJANGO_SETTINGS_MODULE": "tandem.web.settings",
        "TANDEM_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "es",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    fresh = {e.msgid for e in polib.pofile(str(copy / PO.relative_to(PACKAGE))) if not e.obsolete}
    committed = {e.msgid for e in _entries()}
    assert not fresh - committed, f"not in the catalogue (run makemessages): {fresh - committed}"
    assert not committed - fresh, f"no longer in the source: {committed - fresh}"
