"""Packages sent onward: one application's PDF and ZIP, and batch ZIPs with their progress page."""
