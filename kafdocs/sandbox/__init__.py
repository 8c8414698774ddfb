"""A Kafinea-compatible webservice: the demo server and the peer of the tests.

It stands apart from the client layers on purpose: it imports nothing from
``kafdocs.api`` so that a bug shared by both sides cannot hide itself.
"""
