"""Streamlit building blocks for the pages and the web server in front of Streamlit."""
