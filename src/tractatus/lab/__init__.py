"""Layer 2 on the CPU: environments, learners, governance modes and experiments."""
