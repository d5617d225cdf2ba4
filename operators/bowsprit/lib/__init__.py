"""Small utilities that import nothing else from Bowsprit."""
