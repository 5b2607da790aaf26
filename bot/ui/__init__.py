"""Discord rendering helpers shared by the extensions."""
