"""The lab's ground truth: human labels (the headline pool), the engagement model and the judge.

The independence rule (docs/architecture, DESIGN.md): nothing here imports
`tractatus.governance.detectors` or shares a word list or a training row with them. The referee
does not grade the governor with the governor's own answers. A test enforces the import half.
The judge (judge.py) labels texts outside the pool, e.g. what a real model wrote.
"""
