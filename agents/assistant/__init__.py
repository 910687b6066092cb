"""The workspace assistant: answers the owner from the profile, context and catalog, and
updates the profile when asked."""
