"""Every text the bot shows to villagers and staff, one module per area, all in this package."""
