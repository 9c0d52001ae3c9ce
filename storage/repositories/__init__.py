"""Queries over the models. They return frozen records, never ORM objects."""
