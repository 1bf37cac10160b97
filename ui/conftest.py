"""pytest: the Streamlit app and its pages are scripts, run by Streamlit, not importable modules.

Collecting them for doctests would run them outside Streamlit; tests/test_app.py runs them
properly with AppTest.
"""

collect_ignore = ["app.py", "app_pages"]
