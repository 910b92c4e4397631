"""Entry point: `flask --app app run|db|seed-demo|...`."""

from portal import create_app

app = create_app()
