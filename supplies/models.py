"""Grocery runs, advances and help requests: built out in their own issue."""
