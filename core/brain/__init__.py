"""The local brain: CHIDI's offline, deterministic reader of customer messages."""
