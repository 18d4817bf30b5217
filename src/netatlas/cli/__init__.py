"""The ``netatlas`` command line: thin typer commands over the services."""
