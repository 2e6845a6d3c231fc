"""Public datasets: where they live, how to read them, and which row belongs to which split.

Neither governance nor the lab owns this package: it only locates and reads public files. Which
rows each side may learn from is fixed once in `splits.yaml`, so the governor's detectors, the
lab's judge and the lab's headline pool never train on each other's rows.
Nothing here ships dataset content; the files are read from a data directory (see `paths`).
"""
