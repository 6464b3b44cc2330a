"""What the pages show: one module per page's data, named after the page, plus charts, downloads and
the board pack.
"""
