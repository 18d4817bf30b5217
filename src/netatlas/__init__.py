"""netatlas: network topology discovery."""

__version__ = "0.1.0"
