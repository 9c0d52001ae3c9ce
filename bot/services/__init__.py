"""Business rules, one module per feature: plain async functions over a database session.

Nothing here knows about Telegram, so every rule is testable on a real database alone.
"""
