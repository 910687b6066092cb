"""The onboarding graph: a checkpointed conversation that fills the business profile."""
