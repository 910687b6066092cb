"""Local fakes of third-party services CHIDI cannot reach in tests, speaking their wire
formats over real HTTP."""
