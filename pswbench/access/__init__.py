"""Users and sign-in, sessions bound to the browser, who may open what (permissions), what a user may
receive of other trusts (disclosure), and the one door to the data (scope).
"""
