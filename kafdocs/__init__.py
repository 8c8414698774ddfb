"""kafdocs: the documents of a Kafinea CRM on the desktop."""

__version__ = "0.1.0"
