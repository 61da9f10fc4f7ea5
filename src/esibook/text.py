"""Marking text for translation where it is defined, to be translated where it is shown."""


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for the catalogue (``pybabel extract -k N_``) and return it unchanged."""
    return message
