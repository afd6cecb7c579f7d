"""The areas of the main window."""
