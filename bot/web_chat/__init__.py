"""The chat page: the same assistant in a browser, for villagers without Telegram."""
