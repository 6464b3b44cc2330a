"""Shared test helpers: small returns and workbooks, AppTest sign-in, the app in a subprocess with
Chromium, a browser-less websocket client, fault tools.
"""
