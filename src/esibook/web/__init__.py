"""Web: the base layout, languages (Vietnamese first, English second), static assets, shared page helpers."""
