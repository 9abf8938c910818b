"""Dialogue: turning spoken or touched answers into checked values, one question at a time."""
