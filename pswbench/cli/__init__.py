"""The command line: python -m pswbench validate|load|synth|demo|indicators|backup|restore|users ..."""
