"""Training and evaluation of the detectors (scikit-learn, Faker, the packaged peers).

Imported only by `tractatus detectors ...` and tests, never on the decision path: the detectors read the
exported model files with numpy (`governance.detectors.text_model`); this package fits them from the
public data directory, writes those files reproducibly, and measures every detector on held-out splits.
"""
