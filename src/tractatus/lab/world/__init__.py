"""The lab's ground truth: labels, the engagement model, the independent judge.

Nothing here imports governance detectors or shares their word lists or training rows
(the independence rule in DESIGN.md; tests enforce it).
"""
