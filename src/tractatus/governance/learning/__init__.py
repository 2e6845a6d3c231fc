"""Training the learned tiers (scikit-learn): imported only by `tractatus detectors ...`, never at decision time.

The detectors read the exported model files with numpy (`governance.detectors.text_model`);
this package fits them from the public data directory and writes those files reproducibly.
"""
