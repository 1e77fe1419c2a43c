"""The one exception hierarchy. Messages are in French: they reach users as they are."""


class VivierError(Exception):
    """Base of every error a user can cause or fix. `str(err)` is a French message."""

    http_status = 400


class ConfigError(VivierError):
    """A setting is missing or wrong."""


class SourceError(VivierError):
    """A source file cannot be read (unknown format, malformed, truncated...)."""

    def __init__(self, message: str, path: str | None = None, where: str | None = None):
        self.path = path
        self.where = where
        parts = [message]
        if path:
            parts.insert(0, f"{path} :")
        if where:
            parts.append(f"(à {where})")
        super().__init__(" ".join(parts))


class BadValueError(VivierError):
    """A value given by the user is invalid (SIREN, CPV code, date, query...)."""

    http_status = 422


class NotFound(VivierError):
    """The thing asked for does not exist."""

    http_status = 404


class Forbidden(VivierError):
    """The user is not allowed to do this."""

    http_status = 403


class NetworkError(VivierError):
    """The network is unreachable (fetch commands)."""

    http_status = 503


class BusyError(VivierError):
    """A resource is held by another process (the warehouse file while another command
    writes it, or while the web app reads it)."""

    http_status = 409
