"""pswbench: workforce benchmarking for peer support workers in NHS mental health trusts."""
