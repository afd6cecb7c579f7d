"""Dialogs: forms that validate as you type, the welcome dialog, error dialogs."""
