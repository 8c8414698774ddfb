"""Packaged data: icons and translations."""
