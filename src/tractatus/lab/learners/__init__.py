"""lab/learners"""
