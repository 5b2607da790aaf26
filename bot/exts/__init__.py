"""Discord features, one extension each. Thin: they render what bot.study returns."""
