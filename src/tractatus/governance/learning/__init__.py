"""Training and evaluation code for the detectors: imported only by `tractatus detectors ...` and tests,
never on the decision path."""
