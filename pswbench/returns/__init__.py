"""A quarterly return: its data contract, reading CSV and Excel, the validation rules, and uploading
one from the app.
"""
