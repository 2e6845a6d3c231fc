"""Tractatus for Agent Lightning: a governance layer that optimization cannot wear down."""

__version__ = "0.1.0"
