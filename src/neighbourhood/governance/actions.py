"""Every change governance makes: staff memberships (through the admin), emergency access and its review.

Each action is keyword-only, takes the acting user as `by=`, and holds the change and its audit event in one
transaction; a refusal is audited on its own and raises PermissionDenied.
"""
