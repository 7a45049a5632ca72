"""The web pages: templates, stylesheet and the views that render them (see pages.py)."""
