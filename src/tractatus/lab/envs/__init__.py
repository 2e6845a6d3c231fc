"""lab/envs"""
