"""lab/experiments"""
