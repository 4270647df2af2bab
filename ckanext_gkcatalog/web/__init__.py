"""The web layer: the dashboards blueprint (blueprint.py) with its views split by audience (views/), the
hooks it asks its host app for (hooks.py), the standalone app around it (app.py), templates/ and static/."""
