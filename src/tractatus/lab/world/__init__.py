"""The lab's ground truth: human labels (the headline pool) and the engagement model.

The independence rule (docs/architecture, DESIGN.md): nothing here imports
`tractatus.governance.detectors` or shares a word list or a training row with them. The referee
does not grade the governor with the governor's own answers. A test enforces the import half.
"""
