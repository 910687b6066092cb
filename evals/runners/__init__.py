"""One runner per kind of suite: responder, onboarding, assistant."""
